import 'server-only';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execSsh } from './ssh';
import { CommandFailed } from './errors';
import type { Target } from './types';

export type TempFile = { name: string; content: string | Buffer };

/**
 * Writes files into a fresh private folder (0700, files 0600) on the target, runs `fn` with their
 * paths, and removes the folder whatever happens. Used for templates and ONE_AUTH files, which
 * must never travel in argv.
 */
export async function withTempFiles<T>(
  target: Target,
  files: readonly TempFile[],
  fn: (paths: Record<string, string>) => Promise<T>,
): Promise<T> {
  for (const f of files)
    if (f.name.includes('/') || f.name.startsWith('.')) throw new TypeError(`bad temp file name ${f.name}`);
  if (target.kind === 'local') {
    const dir = await mkdtemp(join(tmpdir(), 'backstone-'));
    try {
      const paths: Record<string, string> = {};
      for (const f of files) {
        paths[f.name] = join(dir, f.name);
        await writeFile(paths[f.name]!, f.content, { mode: 0o600 });
      }
      return await fn(paths);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  const made = await execSsh(target, ['mktemp', '-d', '/tmp/backstone-XXXXXXXX']);
  const dir = made.stdout.trim();
  if (made.exitCode !== 0 || !dir.startsWith('/tmp/backstone-'))
    throw new CommandFailed('mktemp', made.exitCode, made.stderr);
  try {
    const paths: Record<string, string> = {};
    for (const f of files) {
      paths[f.name] = `${dir}/${f.name}`;
      // A constant script; the path arrives as a positional argument, never inside the script.
      const w = await execSsh(target, ['sh', '-c', 'umask 077 && cat > "$1"', 'sh', paths[f.name]!], {
        stdin: f.content,
      });
      if (w.exitCode !== 0) throw new CommandFailed('cat', w.exitCode, w.stderr);
    }
    return await fn(paths);
  } finally {
    await execSsh(target, ['rm', '-rf', '--', dir]).catch(() => undefined);
  }
}
