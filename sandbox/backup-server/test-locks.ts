// For tests: a restic process holding an EXCLUSIVE lock on a repository of a sandbox backup
// server, run as the backup account. `restic key passwd` takes the exclusive lock and then waits
// for the new password on stdin, which is kept open; kill -9 then leaves a stale lock behind.
import { spawn } from 'node:child_process';
import { chownSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isRoot } from '../common/account';
import { isAlive, recordPid, waitFor } from '../common/process';
import type { BackupServerInfo } from '../common/info';

export type HeldLock = { pid: number; kill9: () => Promise<void>; release: () => Promise<void> };

/**
 * Starts the holder, retrying when restic lets go of its lock on its own before the caller gets it
 * (seen under heavy load): the caller always gets a live process whose lock file is present.
 */
export async function holdExclusiveLock(info: BackupServerInfo, repoPath: string, password: string): Promise<HeldLock> {
  let last: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await holdOnce(info, repoPath, password);
    } catch (err) {
      last = err;
    }
  }
  throw last;
}

async function holdOnce(info: BackupServerInfo, repoPath: string, password: string): Promise<HeldLock> {
  const pwFile = join(info.root, 'var', 'tmp', `.lock-holder-${process.pid}-${Date.now()}`);
  writeFileSync(pwFile, password, { mode: 0o600 });
  const gid = info.uid;
  if (isRoot()) chownSync(pwFile, info.uid, gid);
  const locksDir = join(repoPath, 'locks');
  const before = new Set(readdirSync(locksDir));
  const child = spawn(info.restic.path, ['--password-file', pwFile, '--repo', repoPath, 'key', 'passwd'], {
    stdio: ['pipe', 'ignore', 'ignore'],
    ...(isRoot() ? { uid: info.uid, gid } : {}),
    env: {
      PATH: '/usr/bin:/bin',
      HOME: join(info.root, 'var', 'lib', 'one'),
      RESTIC_CACHE_DIR: join(info.root, 'var', 'tmp', 'restic-cache'),
    } as unknown as NodeJS.ProcessEnv,
  });
  if (child.pid === undefined) throw new Error('could not start restic');
  const pid = child.pid;
  recordPid(pid, 'restic-lock-holder');
  const newLocks = () => readdirSync(locksDir).filter((f) => !before.has(f));
  const held = await waitFor(() => newLocks().length > 0, 20_000);
  rmSync(pwFile, { force: true });
  if (!held) {
    child.kill('SIGKILL');
    throw new Error('restic did not take the lock in time');
  }
  const lockFile = newLocks()[0]!;
  // Still holding it a moment later: restic is waiting for the new password, not on its way out.
  const letGo = await waitFor(() => !isAlive(pid) || !readdirSync(locksDir).includes(lockFile), 300);
  if (letGo) {
    child.kill('SIGKILL');
    throw new Error('restic released its lock before it could be held');
  }
  const stop = async (signal: NodeJS.Signals) => {
    if (!isAlive(pid)) return;
    child.kill(signal);
    await waitFor(() => !isAlive(pid), 3_000);
  };
  return {
    pid,
    kill9: async () => {
      await stop('SIGKILL');
      if (!readdirSync(locksDir).includes(lockFile)) throw new Error('the lock was gone when restic was killed');
    },
    // SIGINT makes restic clean up and remove its own lock.
    release: async () => {
      await stop('SIGINT');
      await stop('SIGKILL');
    },
  };
}
