import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// Outputs captured from the real restic 0.14 and 0.18 by scripts/capture-restic-fixtures.sh.
export const FIXTURE_VERSIONS = ['0.14', '0.18'] as const;

export function fixture(version: (typeof FIXTURE_VERSIONS)[number], name: string) {
  const base = join(import.meta.dirname, '..', '__fixtures__', version, name);
  const read = (ext: string) => readFileSync(`${base}.${ext}`, 'utf8');
  return { out: read('out'), err: read('err'), code: Number(read('code').trim()) };
}
