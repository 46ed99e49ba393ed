// lib/restic against a real backup server (sshd + restic 0.14 and 0.18), with repositories laid
// out as OpenNebula lays them out. While this suite runs, the password must never appear in any
// process's command line on this machine, nor in a log line.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { holdExclusiveLock } from '@/sandbox/backup-server/test-locks';
import { startIsolatedBackupServer, type IsolatedBackupServer } from '@/sandbox/backup-server/test-server';
import { RESTIC_VERSIONS } from '@/sandbox/common/restic-binaries';
import { Canceled, closeSshConnections, execOk, type SshTarget } from '@/lib/exec';
import { forgetResticBinaries } from './binary';
import { RESTIC_CONCURRENCY_PER_SERVER, serverLimit } from './limit';
import * as restic from './index';
import { cheapenKeyOn } from '@/scripts/test-support/cheap-key';
import { watchCommandLines, type ArgvWatch } from '@/scripts/test-support/argv-watch';

const PASSWORD = 'int-test-Pw$#"x';

// --- the password watch: every process's command line, sampled all along ---------------------
const logLines: string[] = [];
let watch: ArgvWatch;
beforeAll(() => {
  watch = watchCommandLines((_pid, cmd) => cmd.includes(PASSWORD));
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    vi.spyOn(stream, 'write').mockImplementation(((chunk: string | Uint8Array, ...rest: unknown[]) => {
      logLines.push(String(chunk));
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write);
  }
});
afterAll(() => {
  const { leaks } = watch.stop();
  vi.restoreAllMocks();
  expect(leaks).toEqual([]);
  expect(logLines.filter((l) => l.includes(PASSWORD))).toEqual([]);
});

/** restic processes of the backup account working in this server's state folder (not another suite's). */
function resticProcessesOf(uid: number, stateDir: string): number[] {
  return readdirSync('/proc')
    .filter((e) => /^\d+$/.test(e))
    .filter((e) => {
      try {
        const uidLine = /^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${e}/status`, 'utf8'))?.[1];
        const cmd = readFileSync(`/proc/${e}/cmdline`, 'utf8');
        return Number(uidLine) === uid && cmd.includes('restic') && cmd.includes(stateDir);
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe.each(RESTIC_VERSIONS)('lib/restic with restic %s on the backup server', (version) => {
  let server: IsolatedBackupServer;
  let target: SshTarget;
  let repo: restic.ResticRepo;
  let vmDir: string;
  let first: restic.Snapshot;
  let second: restic.Snapshot;

  const ssh = (argv: string[], stdin?: string) => execOk(target, argv, { stdin, timeoutMs: 120_000 });

  beforeAll(async () => {
    server = await startIsolatedBackupServer({ resticVersion: version });
    process.env.BACKSTONE_SSH_CONFIG = server.info.sshConfig;
    process.env.BACKSTONE_SSH_IDENTITY = server.info.identity;
    process.env.BACKSTONE_SSH_KNOWN_HOSTS = server.info.knownHosts;
    process.env.BACKSTONE_REMOTE_ROOT = server.info.root;
    const { resetConfigCache } = await import('@/lib/config');
    resetConfigCache();
    await closeSshConnections();
    forgetResticBinaries();
    target = { kind: 'ssh', host: server.info.name };
    const repoPath = join(server.info.datastoresRoot, '100', '42');
    repo = { server: target, path: repoPath, password: PASSWORD, options: restic.DEFAULT_REPO_OPTIONS };
    // A repository and two backups made on the server, as OpenNebula lays them out.
    vmDir = join(server.info.root, 'var/lib/one/datastores/0/42/backup');
    const pwArgs = ['--password-file=/dev/stdin', `--repo=${repoPath}`];
    await ssh(['mkdir', '-p', vmDir]);
    await ssh(['restic', ...pwArgs, 'init'], PASSWORD);
    await cheapenKeyOn(target, repoPath, PASSWORD);
    await ssh(['qemu-img', 'create', '-q', '-f', 'qcow2', `${vmDir}/disk.0.0`, '256M']);
    await ssh(['qemu-io', '-f', 'qcow2', '-c', 'write -P 0x5a 0 48M', `${vmDir}/disk.0.0`]);
    await ssh(['sh', '-c', 'echo "<VM><ID>42</ID></VM>" | base64 > "$1"', 'sh', `${vmDir}/vm.xml`]);
    await ssh(
      [
        'restic',
        ...pwArgs,
        '--json',
        '--quiet',
        'backup',
        '--force',
        '--tag=one-42',
        `${vmDir}/disk.0.0`,
        `${vmDir}/vm.xml`,
      ],
      PASSWORD,
    );
    await ssh(['qemu-io', '-f', 'qcow2', '-c', 'write -P 0xa5 64M 2M', `${vmDir}/disk.0.0`]);
    await ssh(
      [
        'restic',
        ...pwArgs,
        '--json',
        '--quiet',
        'backup',
        '--force',
        '--tag=one-42',
        `${vmDir}/disk.0.0`,
        `${vmDir}/vm.xml`,
      ],
      PASSWORD,
    );
  });

  afterAll(async () => {
    await closeSshConnections();
    await server?.stop();
  });

  it("uses OpenNebula's synced binary and knows its version", async () => {
    const bin = await restic.version(target);
    expect(bin).toMatchObject({ synced: true, path: server.info.restic.path });
    expect(bin.version).toBe(server.info.restic.version);
  });

  it('lists snapshots, all and by ID', async () => {
    const all = await restic.snapshots(repo);
    expect(all).toHaveLength(2);
    [first, second] = all as [restic.Snapshot, restic.Snapshot];
    expect(first.tags).toEqual(['one-42']);
    expect(first.paths).toEqual([`${vmDir}/disk.0.0`, `${vmDir}/vm.xml`]);
    expect(await restic.snapshots(repo, [second.id])).toEqual([second]);
  });

  it('lists files, stats, diffs and reads the config', async () => {
    const files = await restic.ls(repo, first.shortId);
    expect(
      files
        .filter((f) => f.type === 'file')
        .map((f) => f.name)
        .sort(),
    ).toEqual(['disk.0.0', 'vm.xml']);
    const raw = await restic.stats(repo, 'raw-data');
    const logical = await restic.stats(repo, 'restore-size');
    expect(raw.totalSize).toBeGreaterThan(0);
    expect(logical.totalSize).toBeGreaterThan(raw.totalSize);
    const d = await restic.diff(repo, first.id, second.id);
    expect(d.changes.map((c) => c.modifier)).toContain('M');
    expect((await restic.catConfig(repo)).version).toBe(2);
    await expect(restic.ls(repo, 'deadbeef')).rejects.toBeInstanceOf(restic.SnapshotNotFound);
  });

  it('dumps a disk as a stream, byte for byte', async () => {
    const d = await restic.dump(repo, second.id, `${vmDir}/disk.0.0`, { capacity: 'bulk' });
    const hash = createHash('sha256');
    for await (const chunk of d.stdout) hash.update(chunk as Buffer);
    await d.done;
    const remote = (await ssh(['sha256sum', `${vmDir}/disk.0.0`])).stdout.split(' ')[0];
    expect(hash.digest('hex')).toBe(remote);
  });

  it('dump holds a restic slot of its server: it waits while every slot is taken, and frees its own', async () => {
    const slots = serverLimit(target, 'interactive');
    const held = await Promise.all(
      Array.from({ length: RESTIC_CONCURRENCY_PER_SERVER }, () => slots.acquire('held by the test')),
    );
    // The real semaphore, watched: which calls asked it for a slot.
    const asked: string[] = [];
    const acquire = slots.acquire.bind(slots);
    const watch = vi.spyOn(slots, 'acquire').mockImplementation((what, signal) => {
      asked.push(what ?? '');
      return acquire(what, signal);
    });
    try {
      let started = false;
      const pending = restic.dump(repo, second.id, `${vmDir}/vm.xml`, { capacity: 'interactive' }).then((d) => {
        started = true;
        return d;
      });
      await expect.poll(() => asked, { timeout: 60_000 }).toContain('restic dump');
      // Every slot is held, so the dump is waiting for one: nothing but a release lets it on.
      expect(started).toBe(false);
      held.pop()!();
      const d = await pending;
      const chunks: Buffer[] = [];
      for await (const chunk of d.stdout) chunks.push(chunk as Buffer);
      await d.done;
      expect(Buffer.from(Buffer.concat(chunks).toString(), 'base64').toString()).toContain('<VM><ID>42</ID></VM>');
      // Ended, the dump gave its slot back: one is free again at once (bounded, never a hang).
      held.push(await slots.acquire('held by the test', AbortSignal.timeout(30_000)));
    } finally {
      watch.mockRestore();
      for (const release of held) release();
    }
  });

  it('restores into a target with progress', async () => {
    const targetDir = join(server.info.root, 'var/tmp/restore-1');
    const progress: restic.RestoreProgress[] = [];
    await restic.restore(repo, {
      snapshot: second.id,
      target: targetDir,
      include: [`${vmDir}/disk.0.0`],
      onProgress: (p) => progress.push(p),
    });
    expect(progress.at(-1)?.percent).toBe(100);
    const restored = (await ssh(['sha256sum', `${targetDir}${vmDir}/disk.0.0`])).stdout.split(' ')[0];
    expect(restored).toBe((await ssh(['sha256sum', `${vmDir}/disk.0.0`])).stdout.split(' ')[0]);
  });

  it('a cancelled restic leaves no restic process on the server', async () => {
    // 2 MiB that neither compress nor deduplicate, restored at 64 KiB/s (RESTIC_BWLIMIT): the
    // restore is surely still running when canceled, however fast restic opens the repository.
    const slow = { ...repo, path: `${repo.path}-cancel`, options: { ...repo.options, bwlimit: '64' } };
    const random = join(vmDir, 'random');
    await ssh(['restic', '--password-file=/dev/stdin', `--repo=${slow.path}`, 'init'], PASSWORD);
    await cheapenKeyOn(target, slow.path, PASSWORD);
    await ssh(['sh', '-c', 'head -c 2097152 /dev/urandom > "$1"', 'sh', random]);
    await ssh(['restic', '--password-file=/dev/stdin', `--repo=${slow.path}`, '--quiet', 'backup', random], PASSWORD);
    const [made] = await restic.snapshots(slow);
    const ac = new AbortController();
    const p = restic.restore(slow, {
      snapshot: made!.id,
      target: join(server.info.root, 'var/tmp/restore-cancel'),
      signal: ac.signal,
      onProgress: () => ac.abort(),
    });
    setTimeout(() => ac.abort(), 400);
    await expect(p).rejects.toBeInstanceOf(Canceled);
    const gone = async () => {
      for (let i = 0; i < 100; i++) {
        if (resticProcessesOf(server.info.uid, server.stateDir).length === 0) return true;
        await new Promise((r) => setTimeout(r, 50));
      }
      return false;
    };
    expect(await gone()).toBe(true);
    await restic.unlock(repo);
  });

  it('a locked repository gives RepositoryLocked with the holder; locks are listed; unlock removes the stale one', async () => {
    const holder = await holdExclusiveLock(server.info, repo.path, PASSWORD);
    await holder.kill9();
    const err = await restic.check(repo).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(restic.RepositoryLocked);
    expect((err as restic.RepositoryLocked).holder).toMatchObject({
      pid: holder.pid,
      host: hostname(),
      exclusive: true,
    });
    const locks = await restic.locks(repo);
    expect(locks).toHaveLength(1);
    expect(locks[0]).toMatchObject({ pid: holder.pid, exclusive: true, hostname: hostname() });
    await restic.unlock(repo);
    expect(await restic.locks(repo)).toEqual([]);
  });

  it('unlock --remove-all removes a live holder’s lock too', async () => {
    const holder = await holdExclusiveLock(server.info, repo.path, PASSWORD);
    await restic.unlock(repo);
    expect(await restic.locks(repo)).toHaveLength(1);
    await restic.unlock(repo, { removeAll: true });
    expect(await restic.locks(repo)).toEqual([]);
    await holder.release();
  });

  it('prunes (dry run first) and checks', async () => {
    const plan = await restic.prune(repo, { dryRun: true });
    expect(plan.plan.remaining.blobs).toBeGreaterThan(0);
    await restic.forget(repo, [first.id]);
    const pruned = await restic.prune(repo);
    expect(pruned.plan.totalPrune.bytes).toBeGreaterThan(0);
    expect(await restic.check(repo)).toMatchObject({ ok: true });
    expect(await restic.check(repo, { readDataSubsetPercent: 50 })).toMatchObject({ ok: true, readDataPercent: 50 });
  });

  it('a wrong password and a missing repository are told apart', async () => {
    await expect(restic.snapshots({ ...repo, password: 'wrong-password' })).rejects.toBeInstanceOf(
      restic.WrongPassword,
    );
    await expect(
      restic.snapshots({ ...repo, path: join(server.info.datastoresRoot, '100', '999') }),
    ).rejects.toBeInstanceOf(restic.NoRepository);
  });
});
