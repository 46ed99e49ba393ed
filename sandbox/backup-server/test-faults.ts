// For fault tests: what goes wrong on a real backup server, done to one sandbox's server only.
// - sshd dies: the listener and the per-connection sshd processes are killed with -9 (as a crash,
//   the OOM killer or `systemctl kill -s KILL ssh` would), so every open connection drops; the
//   commands they ran are left to what happens to them then (their pipes close under them).
// - a full filesystem: a small tmpfs mounted on a folder of the server (ENOSPC for real), when
//   this machine lets us mount (root with CAP_SYS_ADMIN); otherwise the reason why not.
// - restic run on a repository as the backup account, to check what a fault left behind.
// - every restic the server runs, recorded: one that opens a repository with the sandbox's cheap key
//   ends within milliseconds, too soon for sampling /proc to count it.
// Every process looked at is one of this sandbox's (its sshd tree, or a command line naming its
// state folder): other suites running at the same time are never touched.
import { chmodSync, chownSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isRoot } from '../common/account';
import { runningPid } from '../common/pids';
import { run, waitFor, type RunResult } from '../common/process';
import { processTree } from '../common/process-tree';
import { shq } from '../common/shell-quote';
import { sandboxPaths } from '../common/state';
import type { BackupServerInfo } from '../common/info';
import { startBackupServer } from './index';

const SSHD_NAMES = new Set(['sshd', 'sshd-session', 'sshd-auth']);

function comm(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** The sandbox's sshd listener and the sshd processes it forked for open connections. */
export function sshdProcesses(stateDir: string): number[] {
  const listener = runningPid(sandboxPaths(stateDir), 'sshd');
  if (listener === undefined) return [];
  return processTree(listener).filter((pid) => SSHD_NAMES.has(comm(pid) ?? ''));
}

/** Kills the sandbox's sshd (listener and connections) with -9; returns once they are gone. */
export async function killSshd(stateDir: string): Promise<number[]> {
  const pids = sshdProcesses(stateDir);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  const gone = await waitFor(() => pids.every((p) => comm(p) === undefined || !SSHD_NAMES.has(comm(p)!)), 5_000);
  if (!gone) throw new Error(`sshd processes ${pids.join(' ')} survived SIGKILL`);
  return pids;
}

/**
 * A backup server that stops answering (a hung host, a stalled disk under sshd, a full accept
 * queue): every sshd process of the sandbox is sent SIGSTOP, so open connections and new ones get
 * no reply while the TCP port stays open. `resume` sends SIGCONT and everything carries on.
 */
export function pauseSshd(stateDir: string): { pids: number[]; resume: () => void } {
  const pids = sshdProcesses(stateDir);
  if (pids.length === 0) throw new Error('no sshd of this sandbox runs');
  for (const pid of pids) process.kill(pid, 'SIGSTOP');
  return {
    pids,
    resume: () => {
      // Connections opened meanwhile forked new sshd processes (stopped with their parent's queue).
      for (const pid of new Set([...pids, ...sshdProcesses(stateDir)])) {
        try {
          process.kill(pid, 'SIGCONT');
        } catch {
          /* gone */
        }
      }
    },
  };
}

/** Starts the killed sshd again (same port, same host key). */
export function restartSshd(stateDir: string): Promise<BackupServerInfo> {
  return startBackupServer(stateDir);
}

/** PIDs of processes whose command line names this sandbox's state folder and contains `match`. */
export function sandboxProcesses(stateDir: string, match: string): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const cmd = readFileSync(`/proc/${e}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (cmd.includes(stateDir) && cmd.includes(match)) out.push(Number(e));
    } catch {
      /* gone */
    }
  }
  return out;
}

export type SmallFilesystem = { dir: string; bytes: number; unmount: () => Promise<void> };

/**
 * Mounts a tmpfs of `bytes` on `dir` (created, owned by the backup account): writes beyond it fail
 * with ENOSPC, "No space left on device", as on a full disk. Returns a reason instead when this
 * machine does not let us mount (not root, or no CAP_SYS_ADMIN in a container).
 */
export async function mountSmallFilesystem(
  info: BackupServerInfo,
  dir: string,
  bytes: number,
): Promise<SmallFilesystem | { reason: string }> {
  if (!isRoot()) return { reason: 'mounting a small tmpfs needs root' };
  mkdirSync(dir, { recursive: true });
  const r = await run('mount', ['-t', 'tmpfs', '-o', `size=${bytes},mode=0755`, 'backstone-test-full', dir]);
  if (r.code !== 0) return { reason: `mount -t tmpfs failed: ${r.stderr.trim()}` };
  chownSync(dir, info.uid, info.uid);
  return {
    dir,
    bytes,
    unmount: async () => {
      const u = await run('umount', [dir]);
      if (u.code !== 0) await run('umount', ['-l', dir]);
    },
  };
}

/**
 * restic on a repository of the sandbox server, as the backup account. The password goes in on
 * stdin, read by `cat` as the password command (restic cannot open a Node pipe as /dev/stdin).
 */
export function resticOnRepo(
  info: BackupServerInfo,
  repoPath: string,
  password: string,
  args: readonly string[],
): Promise<RunResult> {
  return run(info.restic.path, ['--repo', repoPath, '--no-cache', ...args], {
    input: `${password}\n`,
    ...(isRoot() ? { uid: info.uid, gid: info.uid } : {}),
    env: { PATH: '/usr/bin:/bin', HOME: join(info.root, 'var', 'lib', 'one'), RESTIC_PASSWORD_COMMAND: 'cat' },
  });
}

/**
 * Records the arguments of every restic the sandbox server runs at OpenNebula's synced path (where
 * Backstone and the driver run it; `restic` on PATH links there) until `restore`. The binary is
 * moved beside a script that appends its arguments (one line, separated by US) and execs it.
 */
export function recordResticCalls(stateDir: string): {
  calls: () => string[][];
  /** How many recorded calls hold every one of `words` among their arguments. */
  count: (...words: string[]) => number;
  restore: () => void;
} {
  const paths = sandboxPaths(stateDir);
  const real = `${paths.syncedRestic}.recorded`;
  const log = join(paths.tmpDir, `restic-calls-${process.pid}.log`);
  writeFileSync(log, '');
  chmodSync(log, 0o666); // appended to by the backup account
  renameSync(paths.syncedRestic, real);
  // One write per call, so lines of concurrent calls do not interleave.
  const script = `#!/bin/sh\nline=$(printf '%s\\037' "$@")\nprintf '%s\\n' "$line" >> ${shq(log)}\nexec ${shq(real)} "$@"\n`;
  writeFileSync(paths.syncedRestic, script, { mode: 0o755 });
  chmodSync(paths.syncedRestic, 0o755);
  const calls = () =>
    readFileSync(log, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split('\x1f').slice(0, -1));
  return {
    calls,
    count: (...words) => calls().filter((argv) => words.every((w) => argv.includes(w))).length,
    restore: () => {
      renameSync(real, paths.syncedRestic);
      rmSync(log, { force: true });
    },
  };
}
