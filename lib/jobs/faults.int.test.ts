// Faults on a real backup server (sshd + restic 0.18) and the sandbox front-end, one small cloud
// shared by every check: a repository locked exclusively, a corrupted repository config (in a
// copy), a wrong password in a datastore template, the OpenNebula CLI failing, the backup server's
// filesystem full during a restore, and sshd killed in the middle of a listing, a restore and a
// download. Each must give a clear typed error, end its job (failed, never left running), leave no
// restic lock of Backstone's behind, and lose nothing: the repository still checks, its snapshot
// count and the VM's disk are unchanged.
import { createHash } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join, posix } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  jobEnded,
  startBackstoneWorld,
  stopBackstoneWorld,
  type BackstoneWorld,
  resticDatastoreTemplate,
  SANDBOX_ADMIN,
} from '@/scripts/test-support/backstone-world';
import { holdExclusiveLock } from '@/sandbox/backup-server/test-locks';
import {
  killSshd,
  mountSmallFilesystem,
  recordResticCalls,
  restartSshd,
  resticOnRepo,
  sandboxProcesses,
  type SmallFilesystem,
} from '@/sandbox/backup-server/test-faults';
import { type BackupServerInfo } from '@/sandbox/common/info';
import { run, runOk, waitFor } from '@/sandbox/common/process';
import { CLI_COMMANDS, type FrontendInfo } from '@/sandbox/opennebula/frontend';
import { createVm } from '@/sandbox/opennebula/ops/create-vm';
import { inBackup } from '@/sandbox/opennebula/ops/states';
import { frontendPaths } from '@/sandbox/opennebula/paths';
import { readDb } from '@/sandbox/opennebula/store/db';
import { vmDir } from '@/sandbox/opennebula/vm/disks';
import { cliRunner } from '@/sandbox/seed/cli-runner';
import { datastoreAccess, datastoreOverview, downloadStoredFile, resolveSnapshot } from '@/lib/catalog';
import { resetConfigCache } from '@/lib/config';
import { Unreachable } from '@/lib/exec';
import { OneError } from '@/lib/opennebula';
import * as restic from '@/lib/restic';
import { submitServerRestore, visibleJobLog, visibleJobs, type Job } from './index';

const PASSWORD = 'faults-restic-Pw$"x';
const WRONG_PASSWORD = 'faults-not-the-Pw$"y';
const TMP_DIR = '/var/tmp/backstone-restores';
const ADMIN = SANDBOX_ADMIN;

let world: BackstoneWorld | undefined;
let stateDir: string;
let info: FrontendInfo;
let server: BackupServerInfo;
let dsId: number;
let wrongDsId: number;
let vmId: number;
let imageId: number;
let repoName: string;
let repoPath: string;
let snapshotId: string;
let diskSha: string;
let restoreBase: string;

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const tpl = (name: string, password: string) =>
  resticDatastoreTemplate({ server }, { name, password, tmpDir: TMP_DIR });

async function snapshotCount(path = repoPath): Promise<number> {
  const r = await resticOnRepo(server, path, PASSWORD, ['snapshots', '--json', '--no-lock']);
  expect(r.code, r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as unknown[]).length;
}

async function resticLocks(path = repoPath, password = PASSWORD): Promise<string[]> {
  const r = await resticOnRepo(server, path, password, ['list', 'locks', '--no-lock']);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout.split('\n').filter(Boolean);
}

/** Restic processes of this sandbox doing `verb` (their command lines name its state folder). */
const resticDoing = (verb: string) =>
  sandboxProcesses(stateDir, `restic`).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(verb);
    } catch {
      return false;
    }
  });

const finished = (id: number, ms = 90_000): Promise<Job> => jobEnded(ADMIN, id, ms);

const leftInBase = () => readdirSync(restoreBase);

function useCliDir(dir: string) {
  process.env.BACKSTONE_ONE_CLI_DIR = dir;
  resetConfigCache();
}

beforeAll(async () => {
  world = await startBackstoneWorld('faults');
  ({ stateDir, info, server } = world);

  const paths = frontendPaths(stateDir);
  const cli = cliRunner(info);
  const tplFile = join(stateDir, 'ds.tpl');
  writeFileSync(tplFile, tpl('Faults', PASSWORD), { mode: 0o600 });
  dsId = Number((await cli('oneadmin', 'onedatastore', ['create', tplFile])).replace(/\D/g, ''));
  writeFileSync(tplFile, tpl('Faults-wrong-password', WRONG_PASSWORD), { mode: 0o600 });
  wrongDsId = Number((await cli('oneadmin', 'onedatastore', ['create', tplFile])).replace(/\D/g, ''));
  rmSync(tplFile);
  restoreBase = join(server.root, TMP_DIR);
  mkdirSync(restoreBase, { recursive: true });
  chownSync(restoreBase, server.uid, server.uid);

  // One VM with 24 MiB written to its disk (so a restore and a download last a moment), one FULL backup.
  vmId = await createVm(paths, { name: 'faulty', uid: 0, disksMb: [64] });
  const disk = join(vmDir(readDb(paths).datastores.find((d) => d.id === 0)!.basePath, vmId), 'disk.0');
  await runOk('qemu-io', ['-f', 'qcow2', '-c', 'write -P 0x3c 8M 24M', disk]);
  await cli('oneadmin', 'onevm', ['backup', String(vmId), '-d', String(dsId)]);
  const idle = () => !inBackup(readDb(paths).vms.find((v) => v.id === vmId)!.lcmState);
  if (!(await waitFor(idle, 120_000, 100))) throw new Error('the backup did not end within 120 s');
  const image = readDb(paths).images.find((i) => i.vms.includes(vmId));
  if (!image)
    throw new Error(`the backup made no image: ${JSON.stringify(readDb(paths).vms.find((v) => v.id === vmId))}`);
  imageId = image.id;
  snapshotId = image.source;
  repoName = String(vmId);
  repoPath = join(server.datastoresRoot, String(dsId), repoName);
  diskSha = sha256(disk);
  expect(await snapshotCount()).toBe(1);
}, 180_000);

afterAll(async () => {
  await stopBackstoneWorld(world);
});

describe('faults: each gives a clear error, ends its job and loses nothing', () => {
  it('a wrong password in the datastore template: WrongPassword, the password in no message', async () => {
    // The same repository, seen through a datastore whose template holds another password.
    const wrongBase = join(server.datastoresRoot, String(wrongDsId));
    mkdirSync(wrongBase, { recursive: true });
    await runOk('cp', ['-a', repoPath, join(wrongBase, repoName)]);
    const access = await datastoreAccess(wrongDsId);
    const err = await restic.snapshots(access.repo(repoName)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(restic.WrongPassword);
    expect((err as Error).message).toMatch(/refused the datastore's password.*Check RESTIC_PASSWORD/);
    const overview = await datastoreOverview(ADMIN, wrongDsId);
    const row = overview.repositories.find((r) => r.name === repoName)!;
    expect(row.problems).toEqual([expect.objectContaining({ kind: 'unreadable', message: (err as Error).message })]);
    const everything = JSON.stringify({ err: String(err), overview });
    for (const pw of [WRONG_PASSWORD, PASSWORD]) expect(everything).not.toContain(pw);
    expect(await resticLocks(join(wrongBase, repoName))).toEqual([]);
    rmSync(join(wrongBase, repoName), { recursive: true, force: true });
  });

  it('a corrupted repository config (in a throwaway copy): a clear error, not "no repository"', async () => {
    const copy = join(server.datastoresRoot, String(dsId), '9999');
    await runOk('cp', ['-a', repoPath, copy]);
    const config = join(copy, 'config');
    const size = readFileSync(config).length;
    chmodSync(config, 0o644);
    writeFileSync(config, Buffer.alloc(size, 0x41));
    try {
      const access = await datastoreAccess(dsId);
      const err = await restic.snapshots(access.repo('9999')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(restic.ResticError);
      expect(err).not.toBeInstanceOf(restic.NoRepository);
      expect(err).not.toBeInstanceOf(restic.WrongPassword);
      expect((err as Error).message).toMatch(
        /^restic snapshots failed \(exit code 1\): Fatal: config or key [0-9a-f]+ is damaged: ciphertext verification failed$/,
      );
      const overview = await datastoreOverview(ADMIN, dsId);
      expect(overview.repositories.find((r) => r.name === '9999')?.problems).toEqual([
        expect.objectContaining({ kind: 'unreadable', message: (err as Error).message }),
      ]);
      // The real repository beside it is read as before.
      expect(overview.repositories.find((r) => r.name === repoName)).toMatchObject({ snapshotCount: 1, problems: [] });
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('a slow backup server: the overview answers without waiting for restic, and the read goes on', async () => {
    await datastoreOverview(ADMIN, dsId); // every other repository read (cached) first
    // And OpenNebula's side read through the pages' bounded reads, which keep their last answer: the
    // 0 ms answers below then have the datastore however slow the CLI is on a busy machine.
    await datastoreOverview(ADMIN, dsId, undefined, undefined, { answerWithinMs: 60_000 });
    // A copy under another name: snapshots Backstone has not read yet (its cache is by path).
    const copy = join(server.datastoresRoot, String(dsId), '9998');
    await runOk('cp', ['-a', repoPath, copy]);
    // Every restic snapshots the server runs until the end (recorded: one that opens a cheap-key
    // repository ends too soon for /proc sampling): the reads must be shared, not repeated.
    const recorded = recordResticCalls(stateDir);
    let snapshotsRuns = 0;
    try {
      // The server's listing is bounded too: an answer within 0 ms may still be the last listing,
      // without the copy; the next ones show it (the listing is one quick round trip, restic is not).
      let first = await datastoreOverview(ADMIN, dsId, undefined, undefined, { answerWithinMs: 0 });
      const listed = await waitFor(
        async () => {
          first = await datastoreOverview(ADMIN, dsId, undefined, undefined, { answerWithinMs: 0 });
          return first.repositories.some((r) => r.name === '9998');
        },
        30_000,
        20,
      );
      expect(listed, 'the copy appears in the listing').toBe(true);
      // Known without restic: the count (the snapshot files) and the size; no verdict yet.
      expect(first.repositories.find((r) => r.name === '9998')).toMatchObject({
        consistency: 'pending',
        snapshotCount: 1,
        problems: [],
        lastBackupAt: undefined,
      });
      expect(first.pending).toBe(1);
      expect(first.totals.snapshots).toBe(first.repositories.reduce((n, r) => n + r.snapshotCount, 0));
      // An overview that waits joins the read the first one started.
      const full = await datastoreOverview(ADMIN, dsId);
      expect(full.pending).toBe(0);
      const row = full.repositories.find((r) => r.name === '9998')!;
      expect(row.consistency).not.toBe('pending');
      expect(row).toMatchObject({ snapshotCount: 1, lastBackupAt: expect.any(String) });
      // And from then on the answer needs no restic at all.
      expect((await datastoreOverview(ADMIN, dsId, undefined, undefined, { answerWithinMs: 0 })).pending).toBe(0);
      snapshotsRuns = recorded.count('snapshots');
    } finally {
      recorded.restore();
      rmSync(copy, { recursive: true, force: true });
    }
    expect(snapshotsRuns, 'restic snapshots runs for one unread repository').toBe(1);
  });

  it('the front-end CLI missing or failing: a clear OpenNebula error, no job started', async () => {
    const jobsBefore = visibleJobs(ADMIN).length;
    const dir = mkdtempSync(join(stateDir, 'cli-'));
    try {
      // (1) onedatastore missing from the CLI folder.
      for (const c of CLI_COMMANDS) if (c !== 'onedatastore') symlinkSync(join(info.commandDir, c), join(dir, c));
      useCliDir(dir);
      const missing = await datastoreOverview(ADMIN, dsId).catch((e: unknown) => e);
      expect(missing).toBeInstanceOf(OneError);
      expect((missing as Error).message).toBe(
        'The OpenNebula command onedatastore was not found on the front-end. Check the CLI folder setting.',
      );
      // (2) oneimage failing the way the real CLI does when oned is down.
      symlinkSync(join(info.commandDir, 'onedatastore'), join(dir, 'onedatastore'));
      rmSync(join(dir, 'oneimage'));
      writeFileSync(
        join(dir, 'oneimage'),
        '#!/bin/sh\necho \'Failed to open TCP connection to localhost:2633 (Connection refused - connect(2) for "localhost" port 2633)\' >&2\nexit 255\n',
        { mode: 0o755 },
      );
      const down = await datastoreOverview(ADMIN, dsId).catch((e: unknown) => e);
      expect(down).toBeInstanceOf(OneError);
      expect((down as Error).message).toMatch(/^oneimage could not reach OpenNebula \(oned\): Failed to open TCP/);
      const refused = await submitServerRestore(ADMIN, {
        datastoreId: dsId,
        repository: repoName,
        imageId,
        folder: 'cli-down',
      }).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(OneError);
      expect(visibleJobs(ADMIN)).toHaveLength(jobsBefore);
      expect(leftInBase()).toEqual([]);
    } finally {
      useCliDir(info.commandDir);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a repository locked exclusively: listing still works and shows the lock; a restore fails naming the holder', async () => {
    const holder = await holdExclusiveLock(server, repoPath, PASSWORD);
    try {
      const access = await datastoreAccess(dsId);
      // Reads never take a lock, so they go on while a prune or key change holds one.
      expect(await restic.snapshots(access.repo(repoName))).toHaveLength(1);
      const overview = await datastoreOverview(ADMIN, dsId);
      expect(overview.repositories.find((r) => r.name === repoName)).toMatchObject({ locks: 1, snapshotCount: 1 });
      const id = await submitServerRestore(ADMIN, {
        datastoreId: dsId,
        repository: repoName,
        imageId,
        folder: 'while-locked',
      });
      const job = await finished(id);
      expect(job.status).toBe('failed');
      expect(job.message).toMatch(new RegExp(`is locked exclusively by restic PID ${holder.pid} on `));
      expect(job.message).toMatch(/remove it from the repository's Locks panel/);
      expect(leftInBase()).toEqual([]);
      // Only the test's lock is there: the failed restore left none of its own.
      expect(await resticLocks()).toHaveLength(1);
    } finally {
      await holder.release();
    }
    expect(await resticLocks()).toEqual([]);
  });

  it("the backup server's filesystem full during a restore: the job fails saying so and keeps nothing", async (ctx) => {
    const small = await mountSmallFilesystem(server, restoreBase, 4 * 1024 * 1024);
    if ('reason' in small) return ctx.skip(small.reason);
    const fs: SmallFilesystem = small;
    try {
      const id = await submitServerRestore(ADMIN, {
        datastoreId: dsId,
        repository: repoName,
        imageId,
        folder: 'too-big',
      });
      const job = await finished(id);
      expect(job.status).toBe('failed');
      expect(job.message).toBe(
        `The backup server's filesystem under ${restoreBase} is full. Nothing was kept; free space there or restore into another datastore's RESTIC_TMP_DIR.`,
      );
      expect(visibleJobLog({ username: 'oneadmin', isAdmin: true }, id)?.map((l) => l.line)).toContain(
        `Removing the partial target ${posix.join(restoreBase, 'too-big')}.`,
      );
      expect(leftInBase()).toEqual([]);
      expect(await resticLocks()).toEqual([]);
    } finally {
      await fs.unmount();
    }
  });

  it('sshd killed in the middle of a snapshot listing: Unreachable, and the overview says the server is down', async () => {
    const access = await datastoreAccess(dsId);
    let err: unknown;
    // A listing lasts about a second (restic's key derivation); should it end before sshd is
    // killed (a fast machine), it is tried again.
    for (let attempt = 1; ; attempt++) {
      const listing = restic.snapshots(access.repo(repoName)).then(
        () => 'the listing ended before sshd was killed',
        (e: unknown) => e,
      );
      expect(await waitFor(() => resticDoing('snapshots').length > 0, 20_000, 10)).toBe(true);
      await killSshd(stateDir);
      err = await listing;
      if (err instanceof Error || attempt === 3) break;
      await restartSshd(stateDir);
    }
    try {
      expect(err).toBeInstanceOf(Unreachable);
      expect((err as Error).message).toMatch(new RegExp(`^${server.name} is unreachable: `));
      const overview = await datastoreOverview(ADMIN, dsId);
      expect(overview.server).toMatchObject({ reachable: false, message: expect.stringContaining('unreachable') });
      // The remote restic does not outlive its connection for long.
      expect(await waitFor(() => resticDoing('snapshots').length === 0, 15_000, 100)).toBe(true);
    } finally {
      await restartSshd(stateDir);
    }
    expect(await resticLocks()).toEqual([]);
    // Backstone reconnects by itself.
    expect(await restic.snapshots(access.repo(repoName))).toHaveLength(1);
  });

  it('sshd killed in the middle of a restore job: the job fails with the reason, cleans up, leaves no lock', async () => {
    const id = await submitServerRestore(ADMIN, {
      datastoreId: dsId,
      repository: repoName,
      imageId,
      folder: 'sshd-killed',
    });
    // In the middle: restic runs and holds its (non-exclusive) restore lock.
    const locksDir = join(repoPath, 'locks');
    const inTheMiddle = () => resticDoing('restore').length > 0 && readdirSync(locksDir).length > 0;
    expect(await waitFor(inTheMiddle, 30_000, 10)).toBe(true);
    await killSshd(stateDir);
    // The remote restic dies with its connection, its lock possibly left (it had no chance to remove it).
    expect(await waitFor(() => resticDoing('restore').length === 0, 15_000, 50)).toBe(true);
    // sshd comes back (as after a crash and restart); Backstone reconnects by itself.
    await restartSshd(stateDir);
    const job = await finished(id, 60_000);
    expect(job.status).toBe('failed');
    expect(job.message).toMatch(new RegExp(`^${server.name} is unreachable: `));
    expect(job.message).not.toContain('could not be removed');
    expect(leftInBase()).toEqual([]);
    // A stale lock of the dead restic is removed once the server answers (bounded background retry).
    expect(await waitFor(async () => (await resticLocks()).length === 0, 30_000, 500)).toBe(true);
  });

  it('sshd killed in the middle of a download: the stream fails, never ends as if complete', async () => {
    const ref = await resolveSnapshot(ADMIN, dsId, repoName, snapshotId);
    const d = await downloadStoredFile(ref, 'disk.0.0', { holder: 'oneadmin' });
    const reader = d.body.getReader();
    const first = await reader.read();
    expect(first.done).toBe(false);
    let got = first.value!.byteLength;
    expect(resticDoing('dump').length).toBeGreaterThan(0);
    await killSshd(stateDir);
    try {
      const err = await (async () => {
        for (;;) {
          const r = await reader.read();
          if (r.done) return undefined;
          got += r.value.byteLength;
        }
      })().catch((e: unknown) => e);
      expect(got).toBeLessThan(d.size);
      expect(err).toBeInstanceOf(Unreachable);
      expect(await waitFor(() => resticDoing('dump').length === 0, 15_000, 100)).toBe(true);
    } finally {
      await restartSshd(stateDir);
    }
  });

  it('nothing was lost: the repository checks, one snapshot, the VM disk unchanged, no lock, no restic left', async () => {
    expect(await snapshotCount()).toBe(1);
    const check = await resticOnRepo(server, repoPath, PASSWORD, ['check']);
    expect(check.code, check.stdout + check.stderr).toBe(0);
    expect(await resticLocks()).toEqual([]);
    const paths = frontendPaths(stateDir);
    expect(sha256(join(vmDir(readDb(paths).datastores.find((d) => d.id === 0)!.basePath, vmId), 'disk.0'))).toBe(
      diskSha,
    );
    expect(sandboxProcesses(stateDir, 'restic')).toEqual([]);
    // A restore now works as before the faults.
    const id = await submitServerRestore(ADMIN, { datastoreId: dsId, repository: repoName, imageId, folder: 'after' });
    expect(await finished(id)).toMatchObject({ status: 'succeeded' });
    await run('rm', ['-rf', join(restoreBase, 'after')]);
  });
});
