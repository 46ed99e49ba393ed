import 'server-only';
import type { BackupJob } from './models';
import { checkId, readOne, runOne, type OneCallOptions, type OneCredential } from './cli';
import { parseBackupJob, parseBackupJobPool } from './parse/backup-job-xml';

/** `onebackupjob list -x` (OpenNebula 6.8+). */
export async function listBackupJobs(cred: OneCredential, opts?: OneCallOptions): Promise<BackupJob[]> {
  return readOne(cred, { program: 'onebackupjob', args: ['list', '-x'] }, parseBackupJobPool, opts);
}

/** `onebackupjob show -x ID`. */
export async function getBackupJob(cred: OneCredential, id: number, opts?: OneCallOptions): Promise<BackupJob> {
  return readOne(
    cred,
    { program: 'onebackupjob', args: ['show', '-x', checkId(id, 'backup job ID')] },
    parseBackupJob,
    opts,
  );
}

// The three run verbs of a Backup Job (one.backupjob.backup | retry | cancel). Each returns at
// once: oned's scheduler then backs the job's OUTDATED VMs up (or cancels those backing up), so
// callers follow the job's VM lists to see the run progress. MANAGE on the job is required; a
// refusal (`Unable to execute Backup Job, pending backups in progress`, not authorized, no such
// job) comes back as a typed OneError carrying OpenNebula's own reason.

/** `onebackupjob backup ID`: every VM of the job becomes OUTDATED and LAST_BACKUP_TIME is now. */
export async function runBackupJob(cred: OneCredential, id: number, opts?: OneCallOptions): Promise<void> {
  await runOne(cred, { program: 'onebackupjob', args: ['backup', checkId(id, 'backup job ID')] }, opts);
}

/** `onebackupjob retry ID`: the VMs in ERROR_VMS go back to OUTDATED_VMS and are backed up again. */
export async function retryBackupJob(cred: OneCredential, id: number, opts?: OneCallOptions): Promise<void> {
  await runOne(cred, { program: 'onebackupjob', args: ['retry', checkId(id, 'backup job ID')] }, opts);
}

/** `onebackupjob cancel ID`: OUTDATED_VMS is emptied and the VMs backing up get backup-cancel. */
export async function cancelBackupJob(cred: OneCredential, id: number, opts?: OneCallOptions): Promise<void> {
  await runOne(cred, { program: 'onebackupjob', args: ['cancel', checkId(id, 'backup job ID')] }, opts);
}
