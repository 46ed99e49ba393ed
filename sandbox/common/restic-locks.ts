// The lock files of a restic repository on this machine's disk, as restic itself would read them.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const LOCK_NAME = /^[0-9a-f]{64}$/;

function sizeOf(file: string): number {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
}

/**
 * Lock files written under their own name (64 hex). restic 0.18's local backend writes a
 * temporary `<id>-tmp-<n>` file and renames it; restic 0.14 creates the final name and writes it
 * afterwards. Killing restic on seeing either too early leaves no lock restic would read.
 */
export function writtenLockFiles(locksDir: string): string[] {
  return readdirSync(locksDir).filter((f) => LOCK_NAME.test(f) && sizeOf(join(locksDir, f)) > 0);
}
