import 'server-only';
import { readOne, type OneCallOptions, type OneCredential } from './cli';

// OpenNebula's version on the front-end, as every CLI command prints it (`-V, --version`:
// "OpenNebula 7.4.0" then the copyright lines). Backstone runs the CLI on the front-end, so the
// CLI's version is the front-end's. Read through the short-lived read cache.

export type OneVersion = { major: number; minor: number; patch: number; text: string };

/** The version from `--version` output; undefined when it names none. */
export function parseOneVersion(stdout: string): OneVersion | undefined {
  const m = /^OpenNebula (\d+)\.(\d+)(?:\.(\d+))?/m.exec(stdout);
  if (!m) return undefined;
  const [major, minor, patch] = [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)];
  return { major, minor, patch, text: `${major}.${minor}.${patch}` };
}

export function versionAtLeast(v: OneVersion, major: number, minor: number): boolean {
  return v.major > major || (v.major === major && v.minor >= minor);
}

/** The front-end's OpenNebula version; undefined when the CLI prints none. */
export function oneVersion(cred: OneCredential, opts?: OneCallOptions): Promise<OneVersion | undefined> {
  return readOne(
    cred,
    { program: 'onedatastore', args: ['--version'], defaultTimeoutMs: 15_000 },
    parseOneVersion,
    opts,
  );
}
