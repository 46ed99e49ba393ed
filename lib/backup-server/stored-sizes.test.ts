import { describe, expect, it } from 'vitest';
import type { RepositoryListing } from './inventory';
import { parseDu, sizeFingerprint } from './stored-sizes';

const ID = (c: string) => c.repeat(64);

const repo = (
  over: Partial<Pick<RepositoryListing, 'initialized' | 'snapshotIds' | 'locks' | 'indexIds'>> = {},
): RepositoryListing => ({
  kind: 'vm',
  vmId: 42,
  name: '42',
  path: '/var/lib/one/datastores/100/42',
  initialized: true,
  snapshotIds: [ID('a')],
  locks: [],
  indexIds: [ID('b'), ID('c')],
  storedBytes: 0,
  ...over,
});

describe('parseDu', () => {
  it('reads du -sb lines (as GNU du prints them for --files0-from)', () => {
    expect(parseDu('1234567\t42\n99\tjob_7/\n')).toEqual(
      new Map([
        ['42', 1234567],
        ['job_7', 99],
      ]),
    );
  });

  it('skips what is not a size line', () => {
    expect(parseDu('\nnot a line\nabc\t43\n')).toEqual(new Map());
  });
});

describe('sizeFingerprint', () => {
  it('follows the index and snapshot file names, not their order', () => {
    const a = sizeFingerprint(repo());
    expect(a).toMatch(/^[0-9a-f]{64}$/);
    expect(sizeFingerprint(repo({ indexIds: [ID('c'), ID('b')] }))).toBe(a);
    expect(sizeFingerprint(repo({ indexIds: [ID('b')] }))).not.toBe(a);
    expect(sizeFingerprint(repo({ snapshotIds: [] }))).not.toBe(a);
  });

  it('is undefined (measure every time) while locked or when not a repository', () => {
    expect(sizeFingerprint(repo({ locks: [{ id: ID('d'), modified: 0 }] }))).toBeUndefined();
    expect(sizeFingerprint(repo({ initialized: false }))).toBeUndefined();
  });

  it('does not confuse an index file with a snapshot file of the same name', () => {
    expect(sizeFingerprint(repo({ indexIds: [ID('a')], snapshotIds: [] }))).not.toBe(
      sizeFingerprint(repo({ indexIds: [], snapshotIds: [ID('a')] })),
    );
  });
});
