// The restic builds the sandbox can put on its backup server: Debian 12's 0.14 from the system,
// and Debian 13's 0.18 unpacked by scripts/setup.sh into tools/.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './state';
import { runOk } from './process';

export const RESTIC_VERSIONS = ['0.14', '0.18'] as const;
export type ResticVersion = (typeof RESTIC_VERSIONS)[number];

export function isResticVersion(v: string): v is ResticVersion {
  return (RESTIC_VERSIONS as readonly string[]).includes(v);
}

export function resticBinary(version: ResticVersion): string {
  const path = version === '0.18' ? join(repoRoot, 'tools', 'restic-0.18', 'usr', 'bin', 'restic') : '/usr/bin/restic';
  if (!existsSync(path)) {
    throw new Error(`restic ${version} is not installed at ${path}; run scripts/setup.sh`);
  }
  return path;
}

/** `restic version` of a binary, e.g. "0.18.0". */
export async function resticVersionOf(binary: string): Promise<string> {
  const out = await runOk(binary, ['version']);
  const m = /^restic (\d+\.\d+\.\d+)/.exec(out);
  if (!m?.[1]) throw new Error(`unexpected 'restic version' output: ${out.trim()}`);
  return m[1];
}
