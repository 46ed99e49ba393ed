// The worker side of a job.
import type { FrontendPaths } from '../paths';
import { withDb } from '../store/db';
import { backupVm, finishBackup, finishBackupIn } from './backup-vm';
import { deleteImageData } from './delete-image';
import { copyRestoredImages } from './restore-image';
import { restoreVmDisks } from './restore-vm';
import { refreshAllDatastores } from './monitor-datastores';
import { now } from '../clock';
import type { Job } from './jobs';
import { backupFinished, launchNext, type Launch } from './backup-job';

export async function runJob(paths: FrontendPaths, job: Job): Promise<void> {
  switch (job.kind) {
    case 'backup':
      try {
        await backupVm(paths, job.request);
        finishBackup(paths, job.request.vmId);
      } catch (err) {
        finishBackup(paths, job.request.vmId, (err as Error).message);
      }
      return;
    case 'backupjob':
      return serveBackupJob(paths, job.bjId, job.first);
    case 'restore-vm':
      return restoreVmDisks(paths, job.request);
    case 'delete-image':
      return deleteImageData(paths, job.imageId);
    case 'restore-copy':
      return copyRestoredImages(paths, job.plan);
    case 'monitor':
      return refreshAllDatastores(paths);
  }
}

/**
 * The scheduler's part for one job: back up the launched VM, then, in the same state change that
 * ends it, launch the next OUTDATED VM, so BACKING_UP_VMS is empty only when the job has drained.
 */
async function serveBackupJob(paths: FrontendPaths, bjId: number, first: Launch): Promise<void> {
  let current: Launch | undefined = first;
  try {
    while (current) {
      const launch: Launch = current;
      let error: string | undefined;
      try {
        await backupVm(paths, { vmId: launch.vmId, dsId: launch.dsId, reset: launch.reset, bjId });
      } catch (err) {
        error = (err as Error).message;
      }
      current = withDb(paths, (db) => {
        const t = now();
        finishBackupIn(db, launch.vmId, error, t);
        backupFinished(db, bjId, launch.vmId, error === undefined, t);
        const next = launchNext(db, bjId, t);
        const job = db.backupjobs.find((j) => j.id === bjId);
        if (!next && job) job.scheduling = false;
        return next;
      });
    }
  } finally {
    if (current)
      withDb(paths, (db) => {
        const job = db.backupjobs.find((j) => j.id === bjId);
        if (job) job.scheduling = false;
      });
  }
}
