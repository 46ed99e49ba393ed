// The worker side of a job.
import type { FrontendPaths } from '../paths';
import { readDb, withDb } from '../store/db';
import { backupVm, finishBackup } from './backup-vm';
import { deleteImageData } from './delete-image';
import { copyRestoredImages } from './restore-image';
import { refreshAllDatastores } from './monitor-datastores';
import { now } from '../clock';
import type { Job } from './jobs';
import type { Db } from '../store/types';
import { LCM_STATE, VM_STATE } from './states';

export async function runJob(paths: FrontendPaths, job: Job): Promise<void> {
  switch (job.kind) {
    case 'backup':
      await runBackup(paths, job.request.vmId, () => backupVm(paths, job.request));
      return;
    case 'backupjob':
      return runBackupJob(paths, job);
    case 'delete-image':
      return deleteImageData(paths, job.imageId);
    case 'restore-copy':
      return copyRestoredImages(paths, job.plan);
    case 'monitor':
      return refreshAllDatastores(paths);
  }
}

async function runBackup(paths: FrontendPaths, vmId: number, work: () => Promise<void>): Promise<boolean> {
  try {
    await work();
    finishBackup(paths, vmId);
    return true;
  } catch (err) {
    finishBackup(paths, vmId, `Error making backup: ${(err as Error).message}`);
    return false;
  }
}

/** Puts a VM into BACKUP (or BACKUP_POWEROFF), as oned does when it accepts the action. */
export function enterBackup(db: Db, vmId: number): void {
  const vm = db.vms.find((v) => v.id === vmId)!;
  vm.prevState = vm.state;
  vm.prevLcmState = vm.lcmState;
  if (vm.state === VM_STATE.POWEROFF) {
    vm.state = VM_STATE.ACTIVE;
    vm.lcmState = LCM_STATE.BACKUP_POWEROFF;
  } else {
    vm.lcmState = LCM_STATE.BACKUP;
  }
}

async function runBackupJob(paths: FrontendPaths, job: Extract<Job, { kind: 'backupjob' }>): Promise<void> {
  const start = now();
  for (const vmId of job.vmIds) {
    const ok = await runBackup(paths, vmId, () =>
      backupVm(paths, { vmId, dsId: job.dsId, reset: job.reset, bjId: job.bjId }),
    );
    withDb(paths, (db) => {
      const bj = db.backupjobs.find((b) => b.id === job.bjId);
      if (!bj) return;
      bj.backingUpVms = bj.backingUpVms.filter((v) => v !== vmId);
      bj.outdatedVms = bj.outdatedVms.filter((v) => v !== vmId);
      (ok ? bj.updatedVms : bj.errorVms).push(vmId);
    });
    // The next VM starts its backup only when it is its turn, as the job's scheduler does.
    const next = job.vmIds[job.vmIds.indexOf(vmId) + 1];
    if (next !== undefined && readDb(paths).vms.some((v) => v.id === next))
      withDb(paths, (db) => enterBackup(db, next));
  }
  withDb(paths, (db) => {
    const bj = db.backupjobs.find((b) => b.id === job.bjId);
    if (bj) Object.assign(bj, { lastBackupTime: start, lastBackupDuration: Math.max(0, now() - start) });
  });
}
