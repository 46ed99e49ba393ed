import { describe, expect, it } from 'vitest';
import { ChainBroken, chainFiles, chainPlace, snapshotDisks } from './snapshot-chain';
import type { SnapshotFile } from './snapshot-files';
import type { SnapshotRef } from './snapshot-resolve';
import type { BackupChain, SnapshotRow } from './types';

// The chain logic of the snapshot page and the flattened download, on catalog rows shaped like
// the seed's: image 8 with FULL 0 -> INC 1 -> INC 2 (two disks), and a FULL-mode image 3.

const DIR = '/var/lib/one/datastores/0/1/backup';

function row(id: string, imageId: number | undefined, inc: number | undefined, disks: number[]): SnapshotRow {
  return {
    id: id.padEnd(64, '0'),
    shortId: id.slice(0, 8),
    time: `2026-10-2${inc ?? 0}T08:00:00Z`,
    hostname: 'kvm-node-1',
    tags: ['one-1'],
    paths: [...disks.map((d) => `${DIR}/disk.${d}.${inc ?? 0}`), `${DIR}/vm.xml`],
    disks: disks.map((d) => ({ diskId: d, increment: inc ?? 0, path: `${DIR}/disk.${d}.${inc ?? 0}` })),
    vmId: 1,
    imageId,
    incrementId: inc,
    incrementType: inc === undefined ? undefined : inc === 0 ? 'FULL' : 'INCREMENT',
    orphan: imageId === undefined,
    orphanFlagged: false,
  };
}

const rows = [
  row('aaaaaaaa', 8, 0, [0, 1]),
  row('bbbbbbbb', 8, 1, [0, 1]),
  row('cccccccc', 8, 2, [0]),
  row('dddddddd', 3, undefined, [0]),
];

const chain: BackupChain = {
  imageId: 8,
  imageName: '1 20-Oct',
  vmId: 1,
  mode: 'INCREMENT',
  intact: true,
  links: rows.slice(0, 3).map((r, i) => ({
    incrementId: i,
    type: i === 0 ? 'FULL' : 'INCREMENT',
    source: r.shortId,
    snapshotId: r.id,
    date: 0,
    sizeMb: 1,
  })),
};

function ref(index: number, chains: BackupChain[] = [chain]): SnapshotRef {
  return { detail: { snapshots: rows, chains }, snapshot: rows[index]! } as unknown as SnapshotRef;
}

const files = (r: SnapshotRow): SnapshotFile[] =>
  r.disks.map((d) => ({
    path: d.path,
    name: `disk.${d.diskId}.${d.increment}`,
    size: 1,
    kind: 'disk',
    diskId: d.diskId,
    increment: d.increment,
  }));

describe('chainPlace', () => {
  it('gives the links up to this increment and how many come later', () => {
    const p = chainPlace(ref(1))!;
    expect(p.links.map((l) => `${l.type} ${l.incrementId}: ${l.shortId}`)).toEqual([
      'FULL 0: aaaaaaaa',
      'INCREMENT 1: bbbbbbbb',
    ]);
    expect(p.later).toBe(1);
  });

  it('is undefined for a snapshot no image refers to', () => {
    expect(chainPlace(ref(3))).toBeUndefined();
  });
});

describe('chainFiles', () => {
  it('lists each link’s disk file oldest first', () => {
    expect(chainFiles(ref(2), 0)).toEqual([
      { snapshotId: rows[0]!.id, path: `${DIR}/disk.0.0` },
      { snapshotId: rows[1]!.id, path: `${DIR}/disk.0.1` },
      { snapshotId: rows[2]!.id, path: `${DIR}/disk.0.2` },
    ]);
  });

  it('refuses a disk missing from a link, and a link whose snapshot is gone', () => {
    expect(() => chainFiles(ref(2), 1)).toThrow(ChainBroken);
    const broken = { ...chain, links: chain.links.map((l, i) => (i === 1 ? { ...l, snapshotId: undefined } : l)) };
    expect(() => chainFiles(ref(2, [broken]), 0)).toThrow(/Increment 1 of image 8/);
  });
});

describe('snapshotDisks', () => {
  it('says what each disk is and offers a flattened download only for a whole chain', () => {
    expect(snapshotDisks(ref(0), files(rows[0]!)).map((d) => [d.diskId, d.role, d.flattenable])).toEqual([
      [0, 'chain-start', false],
      [1, 'chain-start', false],
    ]);
    const inc = snapshotDisks(ref(1), files(rows[1]!));
    expect(inc.map((d) => [d.diskId, d.role, d.flattenable])).toEqual([
      [0, 'increment', true],
      [1, 'increment', true],
    ]);
    expect(inc[0]!.previous).toEqual({ snapshotShortId: 'aaaaaaaa', name: 'disk.0.0' });
    expect(snapshotDisks(ref(3), files(rows[3]!)).map((d) => d.role)).toEqual(['full']);
  });
});
