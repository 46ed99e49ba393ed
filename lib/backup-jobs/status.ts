import type { BackupJob } from '@/lib/opennebula/models';

// What a Backup Job's four VM lists say about it, worst first. oned serves a job while
// OUTDATED_VMS or BACKING_UP_VMS is not empty (ScheduledActionManager); ERROR_VMS stays until the
// next run or a retry. Unlike Sunstone, a job with VMs still OUTDATED is not called "completed".

export type BackupJobStatus = 'error' | 'running' | 'outdated' | 'never' | 'ok';

export type VmLists = Pick<BackupJob, 'updatedVms' | 'outdatedVms' | 'backingUpVms' | 'errorVms' | 'lastBackupTime'>;

export function backupJobStatus(job: VmLists): BackupJobStatus {
  if (job.errorVms.length > 0) return 'error';
  if (job.backingUpVms.length > 0) return 'running';
  if (job.outdatedVms.length > 0) return 'outdated';
  if (job.lastBackupTime === 0) return 'never';
  return 'ok';
}

const ORDER: readonly BackupJobStatus[] = ['error', 'running', 'outdated', 'never', 'ok'];

/** Worst first, then by ID. */
export function compareByStatus<T extends { status: BackupJobStatus; job: { id: number } }>(a: T, b: T): number {
  return ORDER.indexOf(a.status) - ORDER.indexOf(b.status) || a.job.id - b.job.id;
}

/** oned is still working on the run: VMs wait for or are in their backup (Cancel applies). */
export function isRunning(job: Pick<BackupJob, 'outdatedVms' | 'backingUpVms'>): boolean {
  return job.outdatedVms.length > 0 || job.backingUpVms.length > 0;
}

/** The four lists as OpenNebula names them, in the order the pages show them (worst first). */
export const VM_GROUPS = [
  { key: 'errorVms', label: 'ERROR', words: 'could not be backed up' },
  { key: 'backingUpVms', label: 'BACKING_UP', words: 'backing up now' },
  { key: 'outdatedVms', label: 'OUTDATED', words: 'waiting for their backup' },
  { key: 'updatedVms', label: 'UPDATED', words: 'backed up in the last run' },
] as const satisfies readonly { key: keyof VmLists; label: string; words: string }[];
