import 'server-only';
import { posix } from 'node:path';
import { getConfig } from '@/lib/config';
import { sharedCache } from '@/lib/cache';
import { exec, LOCAL, serverKey, type Target } from '@/lib/exec';
import { ResticFailed } from './errors';
import { parseVersion } from './parse';

// Which restic runs on a backup server: the binary OpenNebula's monitor syncs there, else restic
// on PATH. Found and versioned once per server. For S3 datastores restic runs where Backstone
// runs (as the driver runs it on the front-end): BACKSTONE_LOCAL_RESTIC, else the front-end's
// own binary, else restic on PATH.

export type ResticBinary = { path: string; version: string; major: number; minor: number; synced: boolean };

export const SYNCED_RESTIC = 'var/tmp/one/datastore/restic/restic';
/** The binary OpenNebula's front-end runs for S3 datastores (RESTIC_BIN_PATHS in restic.rb). */
export const FRONTEND_RESTIC = '/var/lib/one/remotes/datastore/restic/restic';
const LOCAL_KEY = 'local';

// Found once per server and kept (a failed detection is not: the next call tries again).
const cache = sharedCache<ResticBinary>('restic.binaries', { freshMs: Number.POSITIVE_INFINITY, max: 1_000 });

async function detect(server: Target): Promise<ResticBinary> {
  const synced =
    server.kind === 'local'
      ? (getConfig().localRestic ?? FRONTEND_RESTIC)
      : posix.join(getConfig().remoteRoot, SYNCED_RESTIC);
  const where = server.kind === 'local' ? "Backstone's machine" : server.host;
  // A constant script; the path is a positional argument.
  const r = await exec(server, [
    'sh',
    '-c',
    'if [ -x "$1" ]; then echo "$1"; "$1" version; else command -v restic && restic version; fi',
    'sh',
    synced,
  ]);
  if (r.exitCode !== 0) {
    throw new ResticFailed('version', r.exitCode, `restic is neither at ${synced} nor on PATH on ${where}`);
  }
  const [path = 'restic', versionLine = ''] = r.stdout.trim().split('\n');
  const v = parseVersion(versionLine);
  return { path, version: v.version, major: v.major, minor: v.minor, synced: path === synced };
}

export function resticBinary(server: Target): Promise<ResticBinary> {
  return cache.read(server.kind === 'local' ? LOCAL_KEY : serverKey(server), () => detect(server));
}

/** The restic Backstone runs itself (S3 datastores). */
export function localResticBinary(): Promise<ResticBinary> {
  return resticBinary(LOCAL);
}

/** restic >= 0.17 has exit codes 10/11/12 and `restore --json`. */
export function hasModernExitCodes(b: ResticBinary): boolean {
  return b.major > 0 || b.minor >= 17;
}

export function forgetResticBinaries(): void {
  cache.clear();
}
