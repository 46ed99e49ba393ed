import 'server-only';
import { posix } from 'node:path';
import { getConfig } from '@/lib/config';
import { sharedCache } from '@/lib/cache';
import { exec, serverKey, type SshTarget } from '@/lib/exec';
import { ResticFailed } from './errors';
import { parseVersion } from './parse';

// Which restic runs on a backup server: the binary OpenNebula's monitor syncs there, else restic
// on PATH. Found and versioned once per server.

export type ResticBinary = { path: string; version: string; major: number; minor: number; synced: boolean };

export const SYNCED_RESTIC = 'var/tmp/one/datastore/restic/restic';

// Found once per server and kept (a failed detection is not: the next call tries again).
const cache = sharedCache<ResticBinary>('restic.binaries', { freshMs: Number.POSITIVE_INFINITY, max: 1_000 });

async function detect(server: SshTarget): Promise<ResticBinary> {
  const synced = posix.join(getConfig().remoteRoot, SYNCED_RESTIC);
  // A constant script; the path is a positional argument.
  const r = await exec(server, [
    'sh',
    '-c',
    'if [ -x "$1" ]; then echo "$1"; "$1" version; else command -v restic && restic version; fi',
    'sh',
    synced,
  ]);
  if (r.exitCode !== 0) {
    throw new ResticFailed('version', r.exitCode, `restic is neither at ${synced} nor on PATH on ${server.host}`);
  }
  const [path = 'restic', versionLine = ''] = r.stdout.trim().split('\n');
  const v = parseVersion(versionLine);
  return { path, version: v.version, major: v.major, minor: v.minor, synced: path === synced };
}

export function resticBinary(server: SshTarget): Promise<ResticBinary> {
  return cache.read(serverKey(server), () => detect(server));
}

/** restic >= 0.17 has exit codes 10/11/12 and `restore --json`. */
export function hasModernExitCodes(b: ResticBinary): boolean {
  return b.major > 0 || b.minor >= 17;
}

export function forgetResticBinaries(): void {
  cache.clear();
}
