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

export async function holdExclusiveLock(info: BackupServerInfo, repoPath: string, password: string): Promise<HeldLock> {
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
  const held = await waitFor(() => readdirSync(locksDir).some((f) => !before.has(f)), 20_000);
  rmSync(pwFile, { force: true });
  if (!held) {
    child.kill('SIGKILL');
    throw new Error('restic did not take the lock in time');
  }
  const stop = async (signal: NodeJS.Signals) => {
    if (!isAlive(pid)) return;
    child.kill(signal);
    await waitFor(() => !isAlive(pid), 3_000);
  };
  return {
    pid,
    kill9: () => stop('SIGKILL'),
    // SIGINT makes restic clean up and remove its own lock.
    release: async () => {
      await stop('SIGINT');
      await stop('SIGKILL');
    },
  };
}
