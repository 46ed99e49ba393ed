import { describe, expect, it } from 'vitest';
import type { BackupJob, Image, Vm } from '@/lib/opennebula/models';
import type { RepositoryLinkage } from './linkage';
import type { SnapshotRow } from './types';
import {
  pendingSnapshotCount,
  seenLinkage,
  seesRepository,
  seesWholeRepository,
  SEES_ALL,
  sightOf,
} from './visibility';

// alice owns VM 3 and image 30 (in job_0, with bob's VM 2 and image 20); bob also has VM 5.
const vm = (id: number) => ({ id, name: `vm-${id}` }) as Vm;
const image = (id: number, vmId: number, source: string, jobId?: number) =>
  ({
    id,
    vmIds: [vmId],
    source,
    increments: [],
    regtime: 0,
    sizeMb: 1,
    ...(jobId !== undefined ? { backupJobId: jobId } : {}),
  }) as unknown as Image;
const ALICE = sightOf({ vms: [vm(3)], images: [image(30, 3, 'aaaa1111', 0)], jobs: [] });
const JOBS = [{ id: 0, vmIds: [2, 3] }] as BackupJob[];

const row = (id: string, vmId: number, imageId?: number) =>
  ({ id: id.padEnd(64, '0'), vmId, ...(imageId !== undefined ? { imageId } : {}) }) as SnapshotRow;

describe('what a VM owner sees', () => {
  it('sees a job repository holding one of their VMs or images, and their own VM repositories', () => {
    expect(seesRepository(ALICE, 'job_0', [], JOBS)).toBe(true);
    expect(seesRepository(ALICE, 'job_1', [], [{ id: 1, vmIds: [2] }] as BackupJob[])).toBe(false);
    expect(seesRepository(ALICE, '3', [], JOBS)).toBe(true);
    expect(seesRepository(ALICE, '2', [{ id: 20 }], JOBS)).toBe(false);
    // Their VM is gone, their backup image is still shown to them.
    expect(seesRepository(ALICE, '9', [{ id: 30 }], JOBS)).toBe(true);
    expect(seesRepository(SEES_ALL, '2', [], [])).toBe(true);
  });

  it("keeps their snapshots (by image, orphans by VM), chains and problems, none of others'", () => {
    const linkage: RepositoryLinkage = {
      rows: [row('aaaa1111', 3, 30), row('bbbb2222', 2, 20), row('cccc3333', 3), row('dddd4444', 2)],
      chains: [
        { imageId: 30, vmId: 3 },
        { imageId: 20, vmId: 2 },
      ] as RepositoryLinkage['chains'],
      problems: [
        { kind: 'orphan-snapshot', snapshotId: 'dddd4444'.padEnd(64, '0') },
        { kind: 'orphan-snapshot', snapshotId: 'cccc3333'.padEnd(64, '0') },
        { kind: 'dangling-image', imageId: 20 },
        { kind: 'unreadable' },
      ] as RepositoryLinkage['problems'],
    };
    const seen = seenLinkage(ALICE, linkage);
    expect(seen.rows.map((r) => r.id.slice(0, 8))).toEqual(['aaaa1111', 'cccc3333']);
    expect(seen.chains.map((c) => c.imageId)).toEqual([30]);
    expect(seen.problems.map((p) => p.snapshotId?.slice(0, 8) ?? p.kind)).toEqual(['cccc3333', 'unreadable']);
    expect(seenLinkage(SEES_ALL, linkage)).toBe(linkage);
  });

  it('counts pending snapshots over their own only, and sees sizes and locks of their own VM repositories only', () => {
    const images = [image(30, 3, 'aaaa1111', 0), image(20, 2, 'bbbb2222', 0)];
    const ids = ['aaaa1111', 'bbbb2222', 'eeee5555'].map((s) => s.padEnd(64, 'f'));
    // In a job's repository an unnamed snapshot's VM is unknown until restic reads it.
    expect(pendingSnapshotCount(ALICE, 'job_0', ids, images)).toBe(1);
    expect(
      pendingSnapshotCount(
        ALICE,
        '3',
        ['aaaa1111', 'eeee5555'].map((s) => s.padEnd(64, 'f')),
        images,
      ),
    ).toBe(2);
    expect(pendingSnapshotCount(SEES_ALL, 'job_0', ids, images)).toBe(3);
    expect(seesWholeRepository(ALICE, '3')).toBe(true);
    expect(seesWholeRepository(ALICE, 'job_0')).toBe(false);
    expect(seesWholeRepository(ALICE, '2')).toBe(false);
    expect(seesWholeRepository(SEES_ALL, 'job_0')).toBe(true);
  });
});
