// For tests: a restic process holding an EXCLUSIVE lock on a repository of a sandbox backup
// server, run as the backup account. `restic key passwd` takes the exclusive lock and then waits
// for the new password on stdin: a FIFO this process keeps open (as the seed does), since a
// Node pipe (a socket) was seen to let restic give up at once. kill -9 then leaves a stale lock.
import { spawn } from 'node:child_process';
import { chownSync, closeSync, constants, mkdtempSync, openSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isRoot } from '../common/account';
import { isAlive, recordPid, runOk, waitFor } from '../common/process';
import { writtenLockFiles } from '../common/restic-locks';
import type { BackupServerInfo } from '../common/info';

export type HeldLock = { pid: number; kill9: () => Promise<void>; release: () => Promise<void> };

/** bash only wires the FIFO to stdin; every value arrives as an argument, never as code. */
const EXEC_WITH_FIFO = 'exec "$0" --repo "$1" --password-file "$2" key passwd < "$3"';

export async function holdExclusiveLock(info: BackupServerInfo, repoPath: string, password: string): Promise<HeldLock> {
  const dir = mkdtempSync(join(info.root, 'var', 'tmp', '.lock-holder-'));
  const pwFile = join(dir, 'pw');
  const fifo = join(dir, 'new-password');
  writeFileSync(pwFile, password, { mode: 0o600 });
  await runOk('mkfifo', ['-m', '600', fifo]);
  if (isRoot()) for (const f of [dir, pwFile, fifo]) chownSync(f, info.uid, info.uid);
  const locksDir = join(repoPath, 'locks');
  const before = new Set(readdirSync(locksDir));
  const child = spawn('bash', ['-c', EXEC_WITH_FIFO, info.restic.path, repoPath, pwFile, fifo], {
    stdio: 'ignore',
    ...(isRoot() ? { uid: info.uid, gid: info.uid } : {}),
    env: {
      PATH: '/usr/bin:/bin',
      HOME: join(info.root, 'var', 'lib', 'one'),
      RESTIC_CACHE_DIR: join(info.root, 'var', 'tmp', 'restic-cache'),
    } as unknown as NodeJS.ProcessEnv,
  });
  if (child.pid === undefined) throw new Error('could not start restic');
  const pid = child.pid;
  recordPid(pid, 'restic-lock-holder');
  // O_RDWR on a FIFO does not block and keeps a writer present, so restic waits, lock held.
  const fd = openSync(fifo, constants.O_RDWR);
  const cleanup = () => {
    try {
      closeSync(fd);
    } catch {
      /* closed */
    }
    rmSync(dir, { recursive: true, force: true });
  };
  // Held means a new lock written under its own name.
  const newLocks = () => writtenLockFiles(locksDir).filter((f) => !before.has(f));
  const held = await waitFor(() => newLocks().length > 0, 30_000, 50);
  if (!held) {
    child.kill('SIGKILL');
    cleanup();
    throw new Error('restic did not take the lock in time');
  }
  const lockFile = newLocks()[0]!;
  const stop = async (signal: NodeJS.Signals) => {
    if (!isAlive(pid)) return;
    child.kill(signal);
    await waitFor(() => !isAlive(pid), 3_000);
  };
  return {
    pid,
    kill9: async () => {
      await stop('SIGKILL');
      cleanup();
      if (!readdirSync(locksDir).includes(lockFile)) throw new Error('the lock was gone when restic was killed');
    },
    // SIGINT makes restic clean up and remove its own lock.
    release: async () => {
      await stop('SIGINT');
      await stop('SIGKILL');
      cleanup();
    },
  };
}
