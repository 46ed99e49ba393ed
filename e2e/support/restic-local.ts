// Ground truth for restore tests: what a snapshot holds, read by restic itself straight from the
// repository folder (this machine is the sandbox's backup server), never through Backstone.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resticBinary } from '../../sandbox/common/restic-binaries';
import { one } from './one-cli';

export function datastorePassword(datastoreId: number): string {
  const xml = one('onedatastore', 'show', '-x', '--decrypt', String(datastoreId));
  return /<RESTIC_PASSWORD><!\[CDATA\[([^\]]*)\]\]><\/RESTIC_PASSWORD>/.exec(xml)![1]!;
}

// Node hands a child's stdin over as a socket, which restic cannot open as /dev/stdin: the password
// goes through a 0600 file in a private temp folder instead, removed afterwards.
function withPasswordFile<T>(password: string, fn: (dir: string, file: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'backstone-truth-'));
  try {
    const file = join(dir, 'pw');
    writeFileSync(file, password, { mode: 0o600 });
    return fn(dir, file);
  } finally {
    rmSync(join(dir, 'pw'), { force: true });
  }
}

/** Dumps one file of a snapshot into a fresh temp folder; returns its path and a cleanup. */
export function dumpFromRepository(
  repoPath: string,
  password: string,
  snapshot: string,
  path: string,
): { file: string; cleanup: () => void } {
  return withPasswordFile(password, (dir, pw) => {
    const file = join(dir, 'dumped');
    execFileSync(
      'sh',
      [
        '-c',
        '"$0" --no-lock --password-file="$1" --repo="$2" --quiet dump "$3" "$4" > "$5"',
        resticBinary('0.18'),
        pw,
        repoPath,
        snapshot,
        path,
        file,
      ],
      {
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: dir,
          RESTIC_CACHE_DIR: join(dir, 'cache'),
        } as unknown as NodeJS.ProcessEnv,
      },
    );
    return { file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  });
}

/** The paths a snapshot holds. */
export function snapshotPaths(repoPath: string, password: string, snapshot: string): string[] {
  return withPasswordFile(password, (dir, pw) => {
    try {
      const out = execFileSync(
        resticBinary('0.18'),
        ['--no-lock', `--password-file=${pw}`, `--repo=${repoPath}`, '--json', 'snapshots', snapshot],
        {
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
  });
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
