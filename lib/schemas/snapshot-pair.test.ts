import { describe, expect, it } from 'vitest';
import { defaultPair, olderFirst, type PairCandidate } from './snapshot-pair';

// A Backup Job repository: two VMs backed up by the same job run, their snapshots interleaved.
const job: PairCandidate[] = [
  { id: 'a1', time: '2026-10-10T00:30:00Z', vmId: 2 },
  { id: 'b1', time: '2026-10-10T00:31:00Z', vmId: 3 },
  { id: 'a2', time: '2026-10-17T00:30:00Z', vmId: 2 },
  { id: 'b2', time: '2026-10-17T00:31:00Z', vmId: 3 },
];

describe('defaultPair', () => {
  it('in a job repository, pairs the newest snapshot with the previous one of the same VM', () => {
    expect(defaultPair(job)).toEqual({ from: 'b1', to: 'b2', vmId: 3 });
  });

  it('pairs a given snapshot with the previous snapshot of its own VM', () => {
    expect(defaultPair(job, 'a2')).toEqual({ from: 'a1', to: 'a2', vmId: 2 });
    // Order of the input does not matter (a repository lists newest first).
    expect(defaultPair([...job].reverse(), 'b2')).toEqual({ from: 'b1', to: 'b2', vmId: 3 });
  });

  it("pairs a VM's first snapshot with its next one", () => {
    expect(defaultPair(job, 'a1')).toEqual({ from: 'a1', to: 'a2', vmId: 2 });
  });

  it('never pairs two VMs: a VM with one snapshot has no default pair', () => {
    const lonely = [...job, { id: 'c1', time: '2026-10-18T00:00:00Z', vmId: 4 }];
    expect(defaultPair(lonely, 'c1')).toEqual({ vmId: 4 });
    // Without a given snapshot, the newest VM that has two is chosen.
    expect(defaultPair(lonely)).toEqual({ from: 'b1', to: 'b2', vmId: 3 });
    expect(defaultPair([{ id: 'c1', time: '2026-10-18T00:00:00Z', vmId: 4 }])).toEqual({});
  });

  it('pairs snapshots of one VM in a VM repository, and those naming no VM among themselves', () => {
    const vm = [
      { id: 'x1', time: '2026-10-01T00:00:00Z', vmId: 7 },
      { id: 'x2', time: '2026-10-02T00:00:00Z', vmId: 7 },
      { id: 'x3', time: '2026-10-03T00:00:00Z', vmId: 7 },
    ];
    expect(defaultPair(vm)).toEqual({ from: 'x2', to: 'x3', vmId: 7 });
    const unnamed = [
      { id: 'u1', time: '2026-10-01T00:00:00Z' },
      { id: 'u2', time: '2026-10-02T00:00:00Z' },
    ];
    expect(defaultPair(unnamed)).toEqual({ from: 'u1', to: 'u2' });
  });

  it('limits the pair to a chosen VM', () => {
    expect(defaultPair(job, undefined, 2)).toEqual({ from: 'a1', to: 'a2', vmId: 2 });
  });
});

describe('olderFirst', () => {
  it('keeps an older → newer pair as it is', () => {
    expect(olderFirst(job[0]!, job[2]!)).toEqual({ older: job[0], newer: job[2], swapped: false });
  });

  it('swaps a newer → older pair, and says so', () => {
    expect(olderFirst(job[2]!, job[0]!)).toEqual({ older: job[0], newer: job[2], swapped: true });
  });

  it('keeps the given order for two snapshots of the same time', () => {
    const t = '2026-10-10T00:00:00Z';
    const a = { id: 'ff', time: t };
    const b = { id: '00', time: t };
    expect(olderFirst(a, b)).toEqual({ older: a, newer: b, swapped: false });
  });

  it('compares times as instants, not as text', () => {
    const a = { id: 'a', time: '2026-10-10T01:00:00+02:00' };
    const b = { id: 'b', time: '2026-10-10T00:30:00Z' };
    expect(olderFirst(b, a)).toEqual({ older: a, newer: b, swapped: true });
  });
});
