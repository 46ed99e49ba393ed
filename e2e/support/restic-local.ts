// Ground truth for restore tests: what a snapshot holds, read by restic itself straight from the
// repository folder (this machine is the sandbox's backup server), never through Backstone.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resticBinary } from '../../sandbox/common/restic-binaries';
import { one } from './one-cli';

export function datastorePassword(datastoreId: number): string {
  const xml = one('onedatastore', 'show', '-x', '--decrypt', String(datastoreId));
  return /<RESTIC_PASSWORD><!\[CDATA\[([^\]]*)\]\]><\/RESTIC_PASSWORD>/.exec(xml)![1]!;
}

/** Dumps one file of a snapshot into a fresh temp folder; returns its path and a cleanup. */
export function dumpFromRepository(
  repoPath: string,
  password: string,
  snapshot: string,
  path: string,
): { file: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'backstone-truth-'));
  const file = join(dir, 'dumped');
  const out = execFileSync(
    resticBinary('0.18'),
    ['--no-lock', '--password-file=/dev/stdin', `--repo=${repoPath}`, '--quiet', 'dump', snapshot, path],
    {
      input: `${password}\n`,
      maxBuffer: 1024 * 1024 * 1024,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, RESTIC_CACHE_DIR: join(dir, 'cache') } as unknown as NodeJS.ProcessEnv,
    },
  );
  execFileSync('dd', [`of=${file}`, 'status=none'], { input: out });
  return { file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The paths a snapshot holds. */
export function snapshotPaths(repoPath: string, password: string, snapshot: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'backstone-truth-'));
  try {
    const out = execFileSync(
      resticBinary('0.18'),
      ['--no-lock', '--password-file=/dev/stdin', `--repo=${repoPath}`, '--json', 'snapshots', snapshot],
      {
        input: `${password}\n`,
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: dir,
          RESTIC_CACHE_DIR: join(dir, 'cache'),
        } as unknown as NodeJS.ProcessEnv,
      },
    );
    return (JSON.parse(out) as { paths: string[] }[])[0]?.paths ?? [];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** qemu-img compare: exit 0 when the two images hold the same data. */
export function sameImageContent(a: string, b: string): boolean {
  try {
    execFileSync('qemu-img', ['compare', '-q', a, b]);
    return true;
  } catch {
    return false;
  }
}
