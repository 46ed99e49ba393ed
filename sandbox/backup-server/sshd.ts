// A real OpenSSH server on 127.0.0.1, run unprivileged as the backup account.
import { chownSync, closeSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon, isAlive, waitFor } from '../common/process';
import { readBanner } from '../common/net';
import type { Account } from '../common/account';
import type { SandboxPaths } from '../common/state';
import { mirrorDir } from './tools';

export function sshdConfig(paths: SandboxPaths, port: number, account: Account): string {
  return [
    `Port ${port}`,
    'ListenAddress 127.0.0.1',
    `HostKey ${paths.hostKey}`,
    // Run in the foreground (-D): the sandbox records the PID itself.
    'PidFile none',
    `AuthorizedKeysFile ${paths.authorizedKeys}`,
    'PubkeyAuthentication yes',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'UsePAM no',
    // The keys live outside the account's home, under folders it does not own.
    'StrictModes no',
    `AllowUsers ${account.name}`,
    'Subsystem sftp internal-sftp',
    // restic at OpenNebula's synced path is also first on PATH, as `restic`; the rest of PATH is a
    // mirror of /usr/bin that tests can take programs out of (tools.ts). restic's cache is in the
    // sandbox's copy of the account's home, as on a backup server of its own: restic looks through
    // its whole cache folder at every start, and the machine's account is shared by every sandbox
    // ever run here (thousands of repositories' caches, ~0.08 CPU-s more per restic).
    `SetEnv PATH=${paths.binDir}:${mirrorDir(paths)} XDG_CACHE_HOME=${join(paths.oneHome, '.cache')}`,
    'PrintMotd no',
    'LogLevel VERBOSE',
    '',
  ].join('\n');
}

/**
 * Starts sshd on `port` and waits (bounded) until it answers with an SSH banner. Returns the PID,
 * or undefined when sshd exited (for example because another process took the port).
 */
export async function startSshd(paths: SandboxPaths, port: number, account: Account): Promise<number | undefined> {
  writeFileSync(paths.sshdConfig, sshdConfig(paths, port, account), { mode: 0o644 });
  const asAccount = process.getuid?.() === 0 ? { uid: account.uid, gid: account.gid } : {};
  // sshd reopens its log (-E) as the account, so the account must own it.
  closeSync(openSync(paths.sshdLog, 'a', 0o640));
  if (asAccount.uid !== undefined) chownSync(paths.sshdLog, account.uid, account.gid);
  const pid = startDaemon('sshd', '/usr/sbin/sshd', ['-D', '-f', paths.sshdConfig, '-E', paths.sshdLog], {
    logFile: paths.sshdLog,
    ...asAccount,
    env: { PATH: '/usr/sbin:/usr/bin:/bin', LANG: 'C.UTF-8' },
  });
  const ready = await waitFor(async () => {
    if (!isAlive(pid)) return true;
    return (await readBanner(port, 500))?.startsWith('SSH-2.0-') ?? false;
  }, 10_000);
  if (!isAlive(pid)) return undefined;
  if (!ready) {
    process.kill(pid, 'SIGKILL');
    throw new Error(`sshd on port ${port} did not become ready within 10 s; see ${paths.sshdLog}`);
  }
  return pid;
}
