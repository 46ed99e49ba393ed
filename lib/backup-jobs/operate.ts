import 'server-only';
import { ExpectedError, type ErrorKind } from '@/lib/errors/expected-error';
import { cancelBackupJob, retryBackupJob, runBackupJob, type BackupJob } from '@/lib/opennebula';
import { seenBackupJob, type BackupJobReader } from './read';
import { isRunning } from './status';

// Run now, Retry failed and Cancel, as the person: the job is read first with their identity (a
// job OpenNebula does not show them is "not found", whatever the reason), then the verb runs with
// the same identity, so oned's ACLs (MANAGE on the job) decide and its reason reaches the page.

export type BackupJobVerb = 'run' | 'retry' | 'cancel';

/** No such Backup Job, or none this person may see: one answer for both. */
export class BackupJobNotFound extends ExpectedError {
  override name = 'BackupJobNotFound';
  readonly kind = 'not-found';
  constructor() {
    super('There is no such Backup Job.');
  }
}

/** The request does not fit the job as it is now (nothing failed, not running, wrong name typed). */
export class BackupJobRefused extends ExpectedError {
  override name = 'BackupJobRefused';
  constructor(
    readonly kind: ErrorKind,
    message: string,
  ) {
    super(message);
  }
}

const VERBS = { run: runBackupJob, retry: retryBackupJob, cancel: cancelBackupJob } as const;

/**
 * Runs `verb` on Backup Job `id` and returns the job as it was just before. Cancel needs the job's
 * name typed as `confirm`; Retry needs VMs in ERROR_VMS; Cancel needs a run in progress.
 */
export async function operateBackupJob(
  reader: BackupJobReader,
  verb: BackupJobVerb,
  id: number,
  confirm?: string,
): Promise<BackupJob> {
  const job = await seenBackupJob(reader, id);
  if (!job) throw new BackupJobNotFound();
  if (verb === 'retry' && job.errorVms.length === 0)
    throw new BackupJobRefused('conflict', `No VM of Backup Job “${job.name}” is in error: nothing to retry.`);
  if (verb === 'cancel') {
    if (!isRunning(job))
      throw new BackupJobRefused('conflict', `Backup Job “${job.name}” is not running: nothing to cancel.`);
    if ((confirm ?? '').trim() !== job.name)
      throw new BackupJobRefused('invalid-input', `Type the Backup Job’s name, “${job.name}”, to cancel its run.`);
  }
  await VERBS[verb](reader.credential, id);
  return job;
}
