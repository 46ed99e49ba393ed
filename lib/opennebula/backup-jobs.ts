import 'server-only';
import type { BackupJob } from './models';
import { checkId, readOne, type OneCallOptions, type OneCredential } from './cli';
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
