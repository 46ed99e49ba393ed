import 'server-only';
import { openNebulaObjectWithin, openNebulaWithin, readerKey, type Bounded } from '@/lib/catalog';
import { isExpectedError } from '@/lib/errors/expected-error';
import {
  getBackupJob,
  listBackupJobs,
  listDatastores,
  listVms,
  type BackupJob,
  type OneCredential,
  type Vm,
} from '@/lib/opennebula';
import { backupJobStatus, compareByStatus, type BackupJobStatus } from './status';

// The Backup Jobs a person may see, read with their own OpenNebula identity: oned's ACLs decide
// which jobs, VMs and datastores show, so an owner sees exactly what OpenNebula shows them. These
// are OpenNebula reads (short-lived per-identity cache in lib/opennebula), not backup server reads.

export type BackupJobReader = { credential: OneCredential };

export type BackupJobRow = {
  /** From `onebackupjob show` where it answered (it alone carries SCHED_ACTION), else from the list. */
  job: BackupJob;
  status: BackupJobStatus;
  /** The target datastore; the name only when OpenNebula shows this person that datastore. */
  datastore?: { id: number; name?: string };
};

export type SeenVm = Pick<Vm, 'id' | 'name' | 'state' | 'lcmState' | 'uname' | 'backingUp'>;

export type BackupJobDetail = BackupJobRow & {
  /** The job's VMs this person may see, by ID (others are shown by ID only). */
  vms: ReadonlyMap<number, SeenVm>;
};

async function datastoreNames(cred: OneCredential): Promise<Map<number, string>> {
  return new Map((await listDatastores(cred)).map((d) => [d.id, d.name]));
}

function rowOf(job: BackupJob, names: ReadonlyMap<number, string>): BackupJobRow {
  const ds = job.datastoreId;
  return {
    job,
    status: backupJobStatus(job),
    ...(ds === undefined ? {} : { datastore: { id: ds, ...(names.has(ds) ? { name: names.get(ds)! } : {}) } }),
  };
}

/** Every Backup Job OpenNebula lists for the reader, each completed by its `show` (schedules), worst first. */
export async function listSeenBackupJobs(reader: BackupJobReader): Promise<BackupJobRow[]> {
  const cred = reader.credential;
  const [jobs, names] = await Promise.all([listBackupJobs(cred), datastoreNames(cred)]);
  // `list -x` carries no SCHED_ACTION (oned serializes the pool without them): show each job.
  const shown = await Promise.allSettled(jobs.map((j) => getBackupJob(cred, j.id)));
  return jobs
    .map((j, i) => {
      const s = shown[i];
      return rowOf(s?.status === 'fulfilled' ? s.value : j, names);
    })
    .sort(compareByStatus);
}

/**
 * The Backup Jobs page's list within the pages' bound: the last list (stale, with its age) or
 * StillReading when oned is slow, never a page that waits for the CLI.
 */
export function seenBackupJobsWithin(
  reader: BackupJobReader & { username: string; isAdmin: boolean },
  opts: { answerWithinMs?: number; signal?: AbortSignal } = {},
): Promise<Bounded<BackupJobRow[]>> {
  const key = `backup-jobs\0${reader.isAdmin ? 'admin' : 'user'}\0${reader.username}`;
  return openNebulaWithin(key, () => listSeenBackupJobs(reader), { what: 'the Backup Jobs', ...opts });
}

/** The job as the reader sees it, or undefined when OpenNebula shows them no such job. */
export async function seenBackupJob(reader: BackupJobReader, id: number): Promise<BackupJob | undefined> {
  try {
    return await getBackupJob(reader.credential, id);
  } catch (err) {
    // Missing, or not theirs to see: the same "not found", so a refusal tells nothing.
    if (isExpectedError(err) && (err.kind === 'not-found' || err.kind === 'forbidden')) return undefined;
    throw err;
  }
}

/** One job with its VMs' names and states as the reader may see them. */
export async function backupJobDetail(reader: BackupJobReader, id: number): Promise<BackupJobDetail | undefined> {
  const cred = reader.credential;
  const [job, names, vms] = await Promise.all([seenBackupJob(reader, id), datastoreNames(cred), listVms(cred)]);
  if (!job) return undefined;
  const members = new Set(job.vmIds);
  for (const list of [job.updatedVms, job.outdatedVms, job.backingUpVms, job.errorVms])
    for (const v of list) members.add(v);
  return {
    ...rowOf(job, names),
    vms: new Map(
      vms
        .filter((v) => members.has(v.id))
        .map((v) => [
          v.id,
          { id: v.id, name: v.name, state: v.state, lcmState: v.lcmState, uname: v.uname, backingUp: v.backingUp },
        ]),
    ),
  };
}

/**
 * The Backup Job page's read within the pages' bound: the last one read (stale, with its age) or
 * StillReading when oned is slow. undefined when OpenNebula shows the reader no such job, also as
 * the last answer while oned is slow: a 404 stays a 404.
 */
export function backupJobDetailWithin(
  reader: BackupJobReader & { username: string; isAdmin: boolean },
  id: number,
  opts: { answerWithinMs?: number; signal?: AbortSignal } = {},
): Promise<Bounded<BackupJobDetail | undefined>> {
  return openNebulaObjectWithin(`backup-job\0${id}\0${readerKey(reader)}`, () => backupJobDetail(reader, id), {
    what: `Backup Job ${id}`,
    ...opts,
  });
}
