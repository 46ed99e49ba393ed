// The sandbox backup server is real: OpenSSH with a pinned host key, sftp, and restic 0.14 and 0.18
// writing repositories under the datastores root as the backup account.
import { mkdtempSync, rmSync, statSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, runOk } from '../common/process';
import { resticBinary, RESTIC_VERSIONS } from '../common/restic-binaries';
import { startIsolatedBackupServer, type IsolatedBackupServer } from './test-server';

const scratch = mkdtempSync(join(tmpdir(), 'backstone-scratch-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe.each(RESTIC_VERSIONS)('sandbox backup server with restic %s', (version) => {
  let server: IsolatedBackupServer;
  const ssh = (...argv: string[]) => run('ssh', ['-F', server.info.sshConfig, server.info.name, ...argv]);

  beforeAll(async () => {
    server = await startIsolatedBackupServer({ resticVersion: version });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('logs in by name with the pinned host key', async () => {
    const r = await ssh('id', '-un');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(server.info.account);
  });

  it('refuses the same host when it presents a different host key', async () => {
    const otherKey = join(scratch, `other-${version}`);
    await runOk('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', otherKey]);
    const pub = (await runOk('cat', [`${otherKey}.pub`])).trim().split(' ').slice(0, 2).join(' ');
    const badKnownHosts = join(scratch, `known_hosts-${version}`);
    writeFileSync(
      badKnownHosts,
      `[127.0.0.1]:${server.info.port} ${pub}\n[${server.info.name}]:${server.info.port} ${pub}\n`,
    );
    const r = await run('ssh', [
      '-F',
      server.info.sshConfig,
      '-o',
      `UserKnownHostsFile=${badKnownHosts}`,
      server.info.name,
      'true',
    ]);
    expect(r.code).toBe(255);
    expect(r.stderr).toMatch(/REMOTE HOST IDENTIFICATION HAS CHANGED|Host key verification failed/);
  });

  it('serves sftp', async () => {
    const r = await run('sftp', ['-F', server.info.sshConfig, '-b', '-', server.info.name], {
      input: `cd ${server.info.datastoresRoot}\npwd\n`,
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(server.info.datastoresRoot);
  });

  it(`has restic ${version} at OpenNebula's synced path and first on PATH`, async () => {
    const onPath = await ssh('restic', 'version');
    expect(onPath.stdout).toMatch(new RegExp(`^restic ${version.replace('.', '\\.')}\\.`));
    const synced = await ssh(server.info.restic.path, 'version');
    expect(synced.stdout).toBe(onPath.stdout);
    expect(server.info.restic.path).toBe(join(server.info.root, 'var/tmp/one/datastore/restic/restic'));
  });

  it('takes restic init, backup and snapshots over sftp into the datastores root', async () => {
    const restic = resticBinary(version);
    const repoPath = join(server.info.datastoresRoot, '100', '42');
    const env = {
      ...process.env,
      RESTIC_PASSWORD: 'sandbox-test-pw',
      RESTIC_CACHE_DIR: join(scratch, `cache-${version}`),
    };
    const common = [
      '-o',
      `sftp.command=ssh -F ${server.info.sshConfig} ${server.info.name} -s sftp`,
      '-r',
      `sftp:${server.info.name}:${repoPath}`,
    ];
    await runOk(restic, [...common, 'init'], { env });
    const dir = join(scratch, `data-${version}`);
    await runOk('mkdir', ['-p', dir]);
    writeFileSync(join(dir, 'disk.0.0'), Buffer.alloc(256 * 1024, 7));
    const backup = await runOk(restic, [...common, 'backup', '--json', '--tag', 'one-42', join(dir, 'disk.0.0')], {
      env,
    });
    const summary = backup
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((m) => m.message_type === 'summary');
    expect(summary?.snapshot_id).toMatch(/^[0-9a-f]{8,64}$/);
    const snaps = JSON.parse(await runOk(restic, [...common, 'snapshots', '--json'], { env })) as {
      tags?: string[];
      paths: string[];
    }[];
    expect(snaps).toHaveLength(1);
    expect(snaps[0]?.tags).toEqual(['one-42']);
    expect(snaps[0]?.paths).toEqual([join(dir, 'disk.0.0')]);

    // Every file of the repository belongs to the backup account.
    const owners = new Set<number>();
    const walk = (p: string) => {
      owners.add(statSync(p).uid);
      if (statSync(p).isDirectory()) for (const f of readdirSync(p)) walk(join(p, f));
    };
    walk(repoPath);
    expect([...owners]).toEqual([server.info.uid]);
  });

  it("keeps restic's cache in the sandbox's home of the backup account, not the machine's", async () => {
    // restic looks through its whole cache folder at each start: a cache shared by every sandbox
    // run on the machine (the real account's home) grows by each run's repositories and slows them.
    const cache = join(server.info.root, 'var', 'lib', 'one', '.cache');
    expect((await ssh('printenv', 'XDG_CACHE_HOME')).stdout.trim()).toBe(cache);
    const repoPath = join(server.info.datastoresRoot, '100', '42');
    // restic on the server in an SSH session, the password on stdin.
    const resticThere = (...args: string[]) =>
      run(
        'ssh',
        [
          '-F',
          server.info.sshConfig,
          server.info.name,
          'restic',
          '--password-file=/dev/stdin',
          '-r',
          repoPath,
          ...args,
        ],
        { input: 'sandbox-test-pw\n' },
      );
    const config = await resticThere('cat', 'config');
    expect(config.code).toBe(0);
    const { id } = JSON.parse(config.stdout) as { id: string };
    expect((await resticThere('snapshots')).code).toBe(0);
    expect(readdirSync(join(cache, 'restic'))).toContain(id);
  });
});
