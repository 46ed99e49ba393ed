import { describe, expect, it } from 'vitest';
import type { SnapshotRow } from '@/lib/catalog/types';
import { isReferenced, orphanCandidates, referencedSources } from './orphans-rule';

const row = (id: string, over: Partial<SnapshotRow> = {}): SnapshotRow => ({
  id: id.padEnd(64, '0'),
  shortId: id.slice(0, 8),
  time: '2026-11-01T10:00:00Z',
  hostname: 'kvm1',
  tags: ['one-7'],
  paths: [],
  disks: [],
  vmId: 7,
  orphan: true,
  orphanFlagged: true,
  ...over,
});

describe('orphan cleanup candidates', () => {
  it('only flagged orphans', () => {
    const rows = [
      row('aaaaaaaa'),
      row('bbbbbbbb', { orphan: false, orphanFlagged: false, imageId: 3 }),
      row('cccccccc', { orphanFlagged: false }),
    ];
    expect(orphanCandidates(rows, []).map((c) => c.shortId)).toEqual(['aaaaaaaa']);
  });

  it('never a snapshot any image names, by SOURCE or an increment SOURCE, even a stale one', () => {
    const images = [
      { source: 'aaaaaaaa', increments: [] },
      {
        source: 'deadbeef',
        increments: [{ id: 0, parentId: null, type: 'FULL' as const, source: 'CCCCCCCC', sizeMb: 1, date: 0 }],
      },
    ];
    expect(referencedSources(images).sort()).toEqual(['aaaaaaaa', 'cccccccc', 'deadbeef']);
    expect(orphanCandidates([row('aaaaaaaa'), row('cccccccc'), row('dddddddd')], images).map((c) => c.shortId)).toEqual(
      ['dddddddd'],
    );
  });

  it('ignores sources that are not hex IDs', () => {
    expect(
      referencedSources([
        { source: '', increments: [] },
        { source: 'x/y', increments: [] },
      ]),
    ).toEqual([]);
    expect(isReferenced('abcd'.padEnd(64, '0'), ['abcd'])).toBe(true);
  });
});
