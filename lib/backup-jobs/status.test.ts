import { describe, expect, it } from 'vitest';
import { backupJobStatus, compareByStatus, isRunning, type VmLists } from './status';

const job = (o: Partial<VmLists>): VmLists => ({
  updatedVms: [],
  outdatedVms: [],
  backingUpVms: [],
  errorVms: [],
  lastBackupTime: 1_700_000_000,
  ...o,
});

describe('Backup Job status', () => {
  it('is the worst of its VM lists', () => {
    expect(backupJobStatus(job({ errorVms: [3], backingUpVms: [2], outdatedVms: [4] }))).toBe('error');
    expect(backupJobStatus(job({ backingUpVms: [2], outdatedVms: [4], updatedVms: [1] }))).toBe('running');
    expect(backupJobStatus(job({ outdatedVms: [4], updatedVms: [1] }))).toBe('outdated');
    expect(backupJobStatus(job({ updatedVms: [1] }))).toBe('ok');
    expect(backupJobStatus(job({ lastBackupTime: 0 }))).toBe('never');
  });

  it('runs while VMs are outdated or backing up, not when only errors are left', () => {
    expect(isRunning(job({ outdatedVms: [1] }))).toBe(true);
    expect(isRunning(job({ backingUpVms: [1] }))).toBe(true);
    expect(isRunning(job({ errorVms: [1], updatedVms: [2] }))).toBe(false);
  });
});

describe('Backup Job order', () => {
  it('puts the worst first, then by ID', () => {
    const rows = [
      { status: 'ok', job: { id: 1 } },
      { status: 'error', job: { id: 4 } },
      { status: 'never', job: { id: 0 } },
      { status: 'error', job: { id: 2 } },
      { status: 'running', job: { id: 3 } },
    ] as const;
    expect([...rows].sort(compareByStatus).map((r) => r.job.id)).toEqual([2, 4, 3, 0, 1]);
  });
});
