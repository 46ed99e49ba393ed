import 'server-only';
import { listBackupJobs, listVms, type BackupJob, type Vm } from '@/lib/opennebula';
import type { RunningBackup } from '@/lib/schemas/maintenance';

// Which OpenNebula backups are under way (VM LCM state BACKUP or BACKUP_POWEROFF), read with the
// service identity: a repository's (its VM, or the VMs of its Backup Job), or a datastore's.

export type CloudBackups = { vms: Vm[]; jobs: BackupJob[] };

export async function readBackups(): Promise<CloudBackups> {
  const service = { kind: 'service' } as const;
  const [vms, jobs] = await Promise.all([listVms(service), listBackupJobs(service)]);
  return { vms, jobs };
}

function view(v: Vm): RunningBackup {
  return { vmId: v.id, vmName: v.name, state: v.lcmState };
}

/** VMs whose backup writes into this repository. */
export function repositoryBackups(cloud: CloudBackups, repository: string): RunningBackup[] {
  const job = /^job_(\d+)$/.exec(repository);
  const members = job
    ? new Set(cloud.jobs.find((j) => j.id === Number(job[1]))?.vmIds ?? [])
    : new Set([Number(repository)]);
  return cloud.vms.filter((v) => v.backingUp && members.has(v.id)).map(view);
}

/**
 * Backups that may write into this datastore: a VM with a repository in it (its own or its
 * Backup Job's), last backed up into it, or in a Backup Job that targets it.
 */
export function datastoreBackups(
  cloud: CloudBackups,
  datastoreId: number,
  repositories: readonly string[],
): RunningBackup[] {
  const names = new Set(repositories);
  return cloud.vms
    .filter(
      (v) =>
        v.backingUp &&
        (names.has(String(v.id)) ||
          v.backups.config.lastDatastoreId === datastoreId ||
          cloud.jobs.some(
            (j) => j.vmIds.includes(v.id) && (names.has(`job_${j.id}`) || j.datastoreId === datastoreId),
          )),
    )
    .map(view);
}
