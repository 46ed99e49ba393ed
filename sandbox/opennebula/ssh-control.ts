// The front-end's SSH connection sharing, as OpenNebula ships oneadmin's ~/.ssh/config: one master
// connection per host (ControlMaster auto, ControlPersist 70s) that the drivers' `ssh host bash -s`
// calls reuse, so a driver action does not pay a key exchange per script. The restic downloader
// turns it off for its `cat` (ControlMaster=no, ControlPath=none), as the real driver does.
//
// OpenNebula keeps the sockets in /run/one/ssh-socks; here each front-end has its own folder in /tmp,
// named from its state folder: a socket path must fit in 108 bytes with the 17 characters ssh adds
// while it creates one, and a state folder can be long. Sockets are per local user (%i) because the
// CLI runs both as root and, over SSH, as oneadmin. Stopping the sandbox ends the masters and
// removes the folder (closeSshMasters).
import { createHash } from 'node:crypto';
import { chownSync, lstatSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { run } from '../common/process';
import type { FrontendConfig } from './config';
import type { FrontendPaths } from './paths';

const PERSIST = '70s';

export function controlDir(paths: Pick<FrontendPaths, 'one'>): string {
  return join('/tmp', `one-ssh-${createHash('sha256').update(paths.one).digest('hex').slice(0, 12)}`);
}

/** The options of the front-end's shared connections. */
export function controlOptions(paths: Pick<FrontendPaths, 'one'>): string[] {
  return [
    '-o',
    'ControlMaster=auto',
    '-o',
    `ControlPath=${controlDir(paths)}/%i-%C`,
    '-o',
    `ControlPersist=${PERSIST}`,
  ];
}

/** The options of a connection of its own (the downloader's `cat`). */
export const NO_CONTROL = ['-o', 'ControlMaster=no', '-o', 'ControlPath=none'];

/**
 * Makes the socket folder, 0700 and owned by the backup account when the CLI also runs as it (root
 * may use any folder). A folder already there is used only if it is that: one someone else made at
 * that name (or a link) is refused, never taken over.
 */
export function ensureControlDir(
  paths: Pick<FrontendPaths, 'one'>,
  cfg: Pick<FrontendConfig, 'switchUser' | 'account'>,
): void {
  const dir = controlDir(paths);
  const owner = cfg.switchUser ? cfg.account.uid : process.getuid?.();
  try {
    mkdirSync(dir, { mode: 0o700 });
    if (cfg.switchUser) chownSync(dir, cfg.account.uid, cfg.account.gid);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const st = lstatSync(dir);
  if (!st.isDirectory() || st.uid !== owner || (st.mode & 0o077) !== 0) {
    throw new Error(`${dir} is not a private folder of uid ${owner}: refusing it for the front-end's SSH sockets`);
  }
}

/** Ends the front-end's master connections (root may ask any of them) and removes their folder. */
export async function closeSshMasters(paths: Pick<FrontendPaths, 'one'>): Promise<void> {
  const dir = controlDir(paths);
  let sockets: string[];
  try {
    sockets = readdirSync(dir);
  } catch {
    return;
  }
  await Promise.all(
    sockets.map((s) =>
      run('ssh', ['-F', '/dev/null', '-S', join(dir, s), '-O', 'exit', 'master'], { timeoutMs: 5_000 }).catch(() => {}),
    ),
  );
  rmSync(dir, { recursive: true, force: true });
}
