// A repository written without restic (restic-new-repo.ts) on the sandbox's backup server, against
// real restic 0.18 and 0.14 over SFTP: laid out as restic's own init lays one out (folders, modes,
// owner), opened with the password and refused with another, backed up into and checked whole.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIsolatedBackupServer, type IsolatedBackupServer } from '../backup-server/test-server';
import { run, runOk } from './process';
import { RESTIC_VERSIONS, resticBinary } from './restic-binaries';
import { CHEAP_KDF } from './restic-key';
import { newRepoFiles, writeRepoFolder } from './restic-new-repo';

const PASSWORD = `pä$$ "w0rd" $(x)`;
const OWNER = { username: 'oneadmin', hostname: 'frontend' };
const scratch = mkdtempSync(join(tmpdir(), 'backstone-new-repo-'));
let server: IsolatedBackupServer;

beforeAll(async () => {
  server = await startIsolatedBackupServer();
});
afterAll(async () => {
  await server?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

const onServer = (script: string) =>
  run('ssh', ['-F', server.info.sshConfig, server.info.name, 'bash -s'], { input: script });

/** Every file and folder under a repository: mode, owner, type and path, key names as "<key>". */
async function layout(repoDir: string): Promise<string[]> {
  const out = await runOk('find', [repoDir, '-mindepth', '1', '-printf', '%m %u %y %P\n']);
  return out
    .trim()
    .split('\n')
    .map((l) => l.replace(/keys\/[0-9a-f]{64}$/, 'keys/<key>'))
    .sort();
}

describe.each(RESTIC_VERSIONS)('a repository written without restic, opened by restic %s', (version) => {
  const restic = resticBinary(version);
  const dir = (name: string) => join(server.info.datastoresRoot, version, name);
  const resticOn = (repoDir: string, password: string, ...args: string[]) =>
    run(
      restic,
      [
        '-o',
        `sftp.command=ssh -F ${server.info.sshConfig} ${server.info.name} -s sftp`,
        '-r',
        `sftp:${server.info.name}:${repoDir}`,
        ...args,
      ],
      {
        env: {
          PATH: process.env.PATH,
          HOME: scratch,
          RESTIC_CACHE_DIR: join(scratch, `cache-${version}`),
          RESTIC_PASSWORD: password,
        },
        timeoutMs: 120_000,
      },
    );
  const files = newRepoFiles(PASSWORD, OWNER);

  it("is laid out as restic's init lays one out over SFTP", async () => {
    expect(await writeRepoFolder(onServer, dir('written'), files)).toBe('created');
    const init = await resticOn(dir('by-restic'), PASSWORD, 'init');
    expect(init.code, init.stderr).toBe(0);
    expect(await layout(dir('written'))).toEqual(await layout(dir('by-restic')));
  });

  it('opens with the password: its config, its one key at the cheap cost, a backup checked whole', async () => {
    const config = await resticOn(dir('written'), PASSWORD, 'cat', 'config', '--no-lock');
    expect(config.code, config.stderr).toBe(0);
    const parsed = JSON.parse(config.stdout) as { version: number; id: string; chunker_polynomial: string };
    expect(parsed).toMatchObject({ version: 2, id: files.id });
    expect(parsed.chunker_polynomial).toMatch(/^[23][0-9a-f]{13}$/);

    const keys = await resticOn(dir('written'), PASSWORD, 'key', 'list', '--json', '--no-lock');
    expect(keys.code, keys.stderr).toBe(0);
    expect(JSON.parse(keys.stdout)).toMatchObject([{ userName: OWNER.username, hostName: OWNER.hostname }]);
    const key = await resticOn(dir('written'), PASSWORD, 'cat', 'key', files.key.name, '--no-lock');
    expect(JSON.parse(key.stdout)).toMatchObject(CHEAP_KDF);

    const data = join(scratch, `disk.0.0-${version}`);
    writeFileSync(data, Buffer.alloc(3 * 1024 * 1024, 5));
    const backup = await resticOn(dir('written'), PASSWORD, 'backup', '--tag', 'one-42', data);
    expect(backup.code, backup.stderr).toBe(0);
    const check = await resticOn(dir('written'), PASSWORD, 'check', '--read-data');
    expect(check.code, check.stderr).toBe(0);
    const snapshots = await resticOn(dir('written'), PASSWORD, 'snapshots', '--json');
    expect(JSON.parse(snapshots.stdout)).toMatchObject([{ tags: ['one-42'], paths: [data] }]);
  });

  it('is refused with another password', async () => {
    const r = await resticOn(dir('written'), 'another', 'snapshots');
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/wrong password|no key found/);
  });

  it('is left as it is by a second writer, which takes its own key back', async () => {
    const other = newRepoFiles(PASSWORD, OWNER);
    expect(await writeRepoFolder(onServer, dir('written'), other)).toBe('exists');
    const keys = await resticOn(dir('written'), PASSWORD, 'key', 'list', '--json', '--no-lock');
    expect(JSON.parse(keys.stdout)).toHaveLength(1);
    const config = await resticOn(dir('written'), PASSWORD, 'cat', 'config', '--no-lock');
    expect(JSON.parse(config.stdout)).toMatchObject({ id: files.id });
    expect((await layout(dir('written'))).filter((l) => l.includes('config'))).toEqual(['600 oneadmin f config']);
  });
});
