// A stale EXCLUSIVE lock, made for real: `restic key passwd` takes the exclusive lock, then waits
// for the new password on a FIFO we keep open; once its lock file exists it is killed with -9.
// On the backup server's filesystem for SFTP datastores, through restic on this machine for S3.
import { closeSync, chownSync, mkdtempSync, openSync, rmSync, writeFileSync, constants } from 'node:fs';
import { join } from 'node:path';
import { runOk, startDaemon, waitFor, isAlive } from '../common/process';
import { writtenLockFiles } from '../common/restic-locks';
import type { FrontendConfig } from '../opennebula/config';

/** bash only wires the FIFO to stdin; every value arrives as an argument, never as code. */
const EXEC_WITH_FIFO = 'exec "$0" --repo "$1" --password-file "$2" "${@:4}" key passwd < "$3"';

type LockTarget = {
  /** what restic's --repo takes: a path on this machine or an s3: URL */
  repo: string;
  /** the lock files present now (names or IDs), to tell the new one apart */
  listLocks: () => string[] | Promise<string[]>;
  /** environment for restic beyond PATH and HOME (e.g. the AWS variables: never argv) */
  env?: Record<string, string>;
  /** extra restic options, e.g. -o s3.bucket-lookup=path */
  options?: string[];
  pollMs?: number;
};

export async function leaveStaleExclusiveLock(
  cfg: FrontendConfig,
  repo: string,
  password: string,
  scratchParent: string,
  logFile: string,
): Promise<void> {
  const locksDir = join(repo, 'locks');
  await leaveStaleLockIn(cfg, { repo, listLocks: () => writtenLockFiles(locksDir) }, password, scratchParent, logFile);
}

/** The same on an S3 repository, restic running on this machine (as it does for S3 datastores). */
export async function leaveStaleExclusiveLockS3(
  cfg: FrontendConfig,
  repoUrl: string,
  awsEnv: Record<string, string>,
  password: string,
  scratchParent: string,
  logFile: string,
): Promise<void> {
  const options = ['-o', 's3.bucket-lookup=path'];
  const dir = mkdtempSync(join(scratchParent, 'lock-list-'));
  const pwFile = join(dir, 'pw');
  writeFileSync(pwFile, password, { mode: 0o600 });
  const listLocks = async () => {
    const out = await runOk(
      cfg.restic,
      [...options, '--repo', repoUrl, '--password-file', pwFile, '--no-cache', 'list', 'locks', '--no-lock'],
      {
        env: { PATH: '/usr/bin:/bin', HOME: dir, ...awsEnv },
      },
    );
    return out.split('\n').filter(Boolean);
  };
  try {
    await leaveStaleLockIn(
      cfg,
      { repo: repoUrl, listLocks, env: awsEnv, options, pollMs: 250 },
      password,
      scratchParent,
      logFile,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function leaveStaleLockIn(
  cfg: FrontendConfig,
  target: LockTarget,
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
    const before = new Set(await target.listLocks());
    const newLocks = async () => (await target.listLocks()).filter((f) => !before.has(f));
    const pid = startDaemon(
      'seed restic key passwd',
      'bash',
      ['-c', EXEC_WITH_FIFO, cfg.restic, target.repo, pwFile, fifo, ...(target.options ?? [])],
      {
        logFile,
        ...ids,
        // Its cache goes with the scratch folder, not into the account's home, which every sandbox
        // run on the machine shares (restic looks through the whole cache folder at each start).
        env: { PATH: '/usr/bin:/bin', HOME: cfg.account.home, XDG_CACHE_HOME: join(dir, 'cache'), ...target.env },
      },
    );
    // O_RDWR on a FIFO does not block and keeps a writer present, so restic waits, lock held.
    const fd = openSync(fifo, constants.O_RDWR);
    try {
      const locked = await waitFor(async () => (await newLocks()).length > 0, 30_000, target.pollMs ?? 50);
      if (!locked) throw new Error('restic key passwd never took its lock');
      process.kill(pid, 'SIGKILL');
      await waitFor(() => !isAlive(pid), 5_000);
      if ((await newLocks()).length === 0) throw new Error('the lock was gone when restic was killed');
    } finally {
      if (isAlive(pid)) process.kill(pid, 'SIGKILL');
      closeSync(fd);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
