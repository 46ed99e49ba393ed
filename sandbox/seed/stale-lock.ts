// A stale EXCLUSIVE lock, made for real: `restic key passwd` takes the exclusive lock, then waits
// for the new password on a FIFO we keep open; once its lock file exists it is killed with -9.
import { closeSync, chownSync, mkdtempSync, openSync, rmSync, writeFileSync, constants } from 'node:fs';
import { join } from 'node:path';
import { runOk, startDaemon, waitFor, isAlive } from '../common/process';
import { writtenLockFiles } from '../common/restic-locks';
import type { FrontendConfig } from '../opennebula/config';

/** bash only wires the FIFO to stdin; every value arrives as an argument, never as code. */
const EXEC_WITH_FIFO = 'exec "$0" --repo "$1" --password-file "$2" key passwd < "$3"';

export async function leaveStaleExclusiveLock(
  cfg: FrontendConfig,
  repo: string,
  password: string,
  scratchParent: string,
  logFile: string,
): Promise<void> {
  const dir = mkdtempSync(join(scratchParent, 'stale-lock-'));
  const ids = cfg.switchUser ? { uid: cfg.account.uid, gid: cfg.account.gid } : {};
  try {
    const pwFile = join(dir, 'pw');
    const fifo = join(dir, 'new-password');
    writeFileSync(pwFile, password, { mode: 0o600 });
    await runOk('mkfifo', ['-m', '600', fifo]);
    if (cfg.switchUser) for (const f of [dir, pwFile, fifo]) chownSync(f, cfg.account.uid, cfg.account.gid);
    const locksDir = join(repo, 'locks');
    const before = new Set(writtenLockFiles(locksDir));
    const newLocks = () => writtenLockFiles(locksDir).filter((f) => !before.has(f));
    const pid = startDaemon('seed restic key passwd', 'bash', ['-c', EXEC_WITH_FIFO, cfg.restic, repo, pwFile, fifo], {
      logFile,
      ...ids,
      env: { PATH: '/usr/bin:/bin', HOME: cfg.account.home },
    });
    // O_RDWR on a FIFO does not block and keeps a writer present, so restic waits, lock held.
    const fd = openSync(fifo, constants.O_RDWR);
    try {
      const locked = await waitFor(() => newLocks().length > 0, 30_000, 50);
      if (!locked) throw new Error('restic key passwd never took its lock');
      process.kill(pid, 'SIGKILL');
      await waitFor(() => !isAlive(pid), 5_000);
      if (newLocks().length === 0) throw new Error('the lock was gone when restic was killed');
    } finally {
      if (isAlive(pid)) process.kill(pid, 'SIGKILL');
      closeSync(fd);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
