import { describe, expect, it } from 'vitest';
import type { Image } from '@/lib/opennebula/models';
import type { Snapshot } from '@/lib/restic/types';
import { disksOf, linkRepository, ORPHAN_SAFETY_WINDOW_MS, repositoryOfImage, vmOfSnapshot } from './linkage';
import { estimateFull, MIN_SAMPLES_FOR_ESTIMATE } from './capacity';

const NOW = Date.parse('2026-11-20T12:00:00Z');
const DAY = 86_400_000;

function snap(id: string, daysAgo: number, vm = 42, files = ['disk.0.0']): Snapshot {
  const full = id.padEnd(64, '0');
  return {
    id: full,
    shortId: full.slice(0, 8),
    time: new Date(NOW - daysAgo * DAY).toISOString(),
    paths: [
      ...files.map((f) => `/var/lib/one/datastores/0/${vm}/backup/${f}`),
      `/var/lib/one/datastores/0/${vm}/backup/vm.xml`,
    ],
    hostname: 'kvm-node-1',
    username: 'oneadmin',
    tags: [`one-${vm}`],
  };
}

function image(id: number, over: Partial<Image>): Image {
  return {
    id,
    name: `42 ${id}`,
    uid: 0,
    uname: 'oneadmin',
    gid: 0,
    gname: 'oneadmin',
    type: 'BACKUP',
    state: 'READY',
    persistent: true,
    regtime: NOW / 1000,
    source: '',
    path: '',
    format: 'raw',
    sizeMb: 100,
    datastoreId: 100,
    datastoreName: 'RBackups',
    vmIds: [42],
    runningVms: 1,
    increments: [],
    template: {},
    templateVectors: {},
    ...over,
  };
}

describe('snapshot facts', () => {
  it('reads disks and the VM from paths and tags', () => {
    expect(
      disksOf(['/x/42/backup/disk.1.3', '/x/42/backup/vm.xml', '/x/42/backup/disk.0.3']).map((d) => [
        d.diskId,
        d.increment,
      ]),
    ).toEqual([
      [0, 3],
      [1, 3],
    ]);
    expect(vmOfSnapshot({ tags: ['one-7'], paths: [] })).toBe(7);
    expect(vmOfSnapshot({ tags: [], paths: ['/var/lib/one/datastores/0/9/backup/disk.0.0'] })).toBe(9);
  });

  it('finds an image’s repository: job_N for Backup Jobs, else its VM', () => {
    expect(repositoryOfImage({ backupJobId: 7, vmIds: [43], path: '' })).toBe('job_7');
    expect(repositoryOfImage({ vmIds: [42], path: '' })).toBe('42');
  });
});

describe('linkRepository', () => {
  it('links FULL images by SOURCE and increment chains by their increments, not the stale SOURCE', () => {
    const snaps = [
      snap('aaaa1111', 20),
      snap('bbbb2222', 10),
      snap('cccc3333', 5, 42, ['disk.0.3']),
      snap('dddd4444', 4, 42, ['disk.0.4']),
    ];
    const full = image(1, { source: 'aaaa1111' });
    const chain = image(2, {
      source: 'ffff9999', // forgotten by a flatten: must not count as dangling
      increments: [
        { id: 2, parentId: null, type: 'FULL', source: 'cccc3333', sizeMb: 50, date: 0 },
        { id: 3, parentId: 2, type: 'INCREMENT', source: 'dddd4444', sizeMb: 1, date: 0 },
      ],
    });
    const r = linkRepository('42', snaps, [full, chain], new Set(), NOW);
    expect(r.problems.map((p) => p.kind)).toEqual(['orphan-snapshot']);
    expect(r.problems[0]!.snapshotId).toBe(snaps[1]!.id);
    expect(r.chains.map((c) => [c.imageId, c.mode, c.intact])).toEqual([
      [1, 'FULL', true],
      [2, 'INCREMENT', true],
    ]);
    const rows = Object.fromEntries(r.rows.map((x) => [x.shortId, x]));
    expect(rows.cccc3333).toMatchObject({ imageId: 2, incrementId: 2, incrementType: 'FULL' });
    expect(rows.dddd4444).toMatchObject({
      imageId: 2,
      incrementId: 3,
      incrementType: 'INCREMENT',
      disks: [{ diskId: 0, increment: 4 }],
    });
    // Newest first.
    expect(r.rows.map((x) => x.shortId)).toEqual(['dddd4444', 'cccc3333', 'bbbb2222', 'aaaa1111']);
  });

  it('flags a dangling image and a broken chain', () => {
    const r = linkRepository(
      '42',
      [snap('cccc3333', 5)],
      [
        image(1, { source: 'aaaa1111' }),
        image(2, {
          increments: [
            { id: 0, parentId: null, type: 'FULL', source: 'cccc3333', sizeMb: 50, date: 0 },
            { id: 1, parentId: 0, type: 'INCREMENT', source: 'eeee5555', sizeMb: 1, date: 0 },
          ],
        }),
      ],
      new Set(),
      NOW,
    );
    expect(r.problems.map((p) => [p.kind, p.imageId])).toEqual([
      ['dangling-image', 1],
      ['dangling-increment', 2],
      ['broken-chain', 2],
    ]);
  });

  it('does not flag young orphans or those of a VM being backed up', () => {
    const young = snap('aaaa1111', ORPHAN_SAFETY_WINDOW_MS / DAY / 2);
    const old = snap('bbbb2222', 3, 43);
    const r = linkRepository('job_7', [young, old], [], new Set([43]), NOW);
    expect(r.rows.every((x) => x.orphan)).toBe(true);
    expect(r.rows.some((x) => x.orphanFlagged)).toBe(false);
    expect(r.problems).toEqual([]);
  });

  it('lists snapshots newest first as instants, whatever UTC offset restic wrote', () => {
    const east = { ...snap('cccc3333', 0), time: '2026-11-20T11:30:00.123456789+02:00' }; // 09:30 UTC
    const utc = { ...snap('dddd4444', 0), time: '2026-11-20T10:00:00Z' };
    const older = snap('eeee5555', 2);
    const r = linkRepository('42', [older, east, utc], [], new Set(), NOW);
    expect(r.rows.map((x) => x.shortId)).toEqual(['dddd4444', 'cccc3333', 'eeee5555']);
  });
});

describe('estimateFull', () => {
  const sample = (day: number, used: number) => ({
    at: NOW + day * DAY,
    totalBytes: 1000,
    usedBytes: used,
    availableBytes: 1000 - used,
    storedBytes: used,
  });

  it('needs enough samples', () => {
    expect(estimateFull([sample(0, 1)])).toEqual({
      kind: 'not-enough-data',
      samples: 1,
      needed: MIN_SAMPLES_FOR_ESTIMATE,
    });
  });

  it('extrapolates a straight line to the total', () => {
    const pts = Array.from({ length: 8 }, (_, d) => sample(d, 100 + 10 * d));
    const e = estimateFull(pts);
    expect(e.kind).toBe('date');
    if (e.kind === 'date') {
      expect(e.bytesPerDay).toBeCloseTo(10);
      expect((e.at - NOW) / DAY).toBeCloseTo(90);
    }
  });

  it('says never when usage does not grow', () => {
    expect(estimateFull(Array.from({ length: 8 }, (_, d) => sample(d, 500 - d))).kind).toBe('never');
  });
});
