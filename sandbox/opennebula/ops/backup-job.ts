// Backup Jobs as oned runs them (BackupJob::execute/cancel/retry, ScheduledActionManager): the
// CLI verbs change the job's VM sets, and the sandbox's worker plays the scheduler for one job at a
// time, launching its OUTDATED_VMS in BACKUP_VMS order, one after another (SEQUENTIAL).
import type { BackupJob, Db } from '../store/types';
import { getValue, removeAttr, setValue } from '../template/template';
import { ctime } from '../ctime';
import { backupDatastore, datastoreProblem, enterBackup, stateProblem } from './backup-start';
import { inBackup } from './states';

export function jobVmList(job: BackupJob): number[] {
  return (getValue(job.template, 'BACKUP_VMS') ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter((x) => /^\d+$/.test(x))
    .map(Number);
}

/** ObjectCollection: a set, printed in ascending order. */
const add = (list: number[], id: number) => [...new Set([...list, id])].sort((a, b) => a - b);
const del = (list: number[], id: number) => list.filter((x) => x !== id);

export const PENDING = 'Unable to execute Backup Job, pending backups in progress';

/** BackupJob::execute: every VM becomes OUTDATED; the caller turns a non-empty answer into an error. */
export function executeJob(job: BackupJob, t: number): string | undefined {
  if (job.backingUpVms.length || job.outdatedVms.length) return PENDING;
  job.errorVms = [];
  job.updatedVms = [];
  job.outdatedVms = [...new Set(jobVmList(job))].sort((a, b) => a - b);
  job.lastBackupTime = t;
  job.template = removeAttr(job.template, 'ERROR');
  return undefined;
}

/** BackupJob::cancel; the VMs that were backing up are returned for backup-cancel. */
export function cancelJob(job: BackupJob): number[] {
  const active = job.backingUpVms;
  job.outdatedVms = [];
  job.backingUpVms = [];
  return active;
}

/** BackupJob::retry: ERROR_VMS go back to OUTDATED_VMS and the job's ERROR is cleared. */
export function retryJob(job: BackupJob): void {
  for (const id of job.errorVms) job.outdatedVms = add(job.outdatedVms, id);
  job.errorVms = [];
  job.template = removeAttr(job.template, 'ERROR');
}

/** DispatchManager::backup_cancel for the sandbox's worker: the running backup fails at its next step. */
export function requestBackupCancel(db: Db, vmId: number): boolean {
  const vm = db.vms.find((v) => v.id === vmId);
  if (!vm || !inBackup(vm.lcmState)) return false;
  vm.backupCancel = true;
  return true;
}

const CONFIG_ATTRS = ['KEEP_LAST', 'BACKUP_VOLATILE', 'FS_FREEZE', 'MODE', 'INCREMENT_MODE'];

export type Launch = { vmId: number; dsId: number; reset: boolean };

/**
 * One scheduler step for a job: when no VM of it is backing up, launch the first OUTDATED VM in
 * BACKUP_VMS order. VMs that cannot start go to ERROR_VMS with the job's ERROR
 * ("<ctime> : [backup] <msg>"); missing VMs leave the job. Returns what to run, if anything.
 */
export function launchNext(db: Db, jobId: number, t: number): Launch | undefined {
  const job = db.backupjobs.find((j) => j.id === jobId);
  if (!job || job.backingUpVms.length) return undefined;
  const dsArg = Number(getValue(job.template, 'DATASTORE_ID') ?? -1);
  const reset = (getValue(job.template, 'RESET') ?? '').toUpperCase() === 'YES';
  for (const vmId of jobVmList(job)) {
    if (!job.outdatedVms.includes(vmId)) continue;
    const vm = db.vms.find((v) => v.id === vmId);
    if (!vm) {
      job.outdatedVms = del(job.outdatedVms, vmId);
      job.template = setValue(
        job.template,
        'BACKUP_VMS',
        jobVmList(job)
          .filter((x) => x !== vmId)
          .join(','),
      );
      continue;
    }
    // The job's settings are merged into the VM's BACKUP_CONFIG before the backup.
    for (const k of CONFIG_ATTRS) {
      const v = getValue(job.template, k);
      if (v !== undefined) vm.backupConfig[k] = v;
    }
    const target = backupDatastore(db, vm, dsArg, reset);
    let problem: string | undefined;
    if ('missingImage' in target) problem = `Error getting image [${target.missingImage}].`;
    else {
      const ds = datastoreProblem(db, target.dsId);
      problem = ds === 'missing' ? `Error getting datastore [${target.dsId}].` : ds;
    }
    problem ??= stateProblem(vm);
    job.outdatedVms = del(job.outdatedVms, vmId);
    if (problem || 'missingImage' in target) {
      job.errorVms = add(job.errorVms, vmId);
      job.template = setValue(job.template, 'ERROR', `${ctime(t)} : [backup] ${problem}`);
      continue;
    }
    enterBackup(db, vmId, target.dsId, reset);
    job.backingUpVms = add(job.backingUpVms, vmId);
    return { vmId, dsId: target.dsId, reset };
  }
  return undefined;
}

/** BackupJob::backup_finished. */
export function backupFinished(db: Db, jobId: number, vmId: number, ok: boolean, t: number): void {
  const job = db.backupjobs.find((j) => j.id === jobId);
  if (!job) return;
  job.backingUpVms = del(job.backingUpVms, vmId);
  if (ok) job.updatedVms = add(job.updatedVms, vmId);
  else job.errorVms = add(job.errorVms, vmId);
  job.lastBackupDuration = Math.max(0, t - job.lastBackupTime);
}

/**
 * Starts serving a job if no worker does (the caller spawns one for the returned launch). Under
 * the state lock, so a retry and a finishing worker never both or neither serve the job.
 */
export function startServing(db: Db, jobId: number, t: number): Launch | undefined {
  const job = db.backupjobs.find((j) => j.id === jobId);
  if (!job || job.scheduling) return undefined;
  const next = launchNext(db, jobId, t);
  if (next) job.scheduling = true;
  return next;
}
