import 'server-only';
import { sharedCache } from '@/lib/cache';
import { ANSWER_WITHIN_MS, StillReading, type Freshness, type Reader } from '@/lib/catalog';
import {
  getBackupJob,
  getVm,
  listBackupImages,
  listBackupJobs,
  listDatastores,
  listVms,
  type BackupJob,
  type OneCredential,
  type Vm,
} from '@/lib/opennebula';
import { expectedIntervals } from './expected-interval';
import { protectionCounts, vmProtectionRows, type ProtectionCounts, type VmProtection } from './vm-protection';

// Protection at a glance: every VM the reader may see, with its backups and a status. OpenNebula's
// reads go through lib/opennebula's per-identity read cache, so a warm load reads nothing new; the
// whole answer is bounded like the catalog's pages (the last answer, marked stale, when slow).

export { describeSchedule, nextRun, scheduleInterval, type Schedule } from './schedule';
export { protectionStatus, PROTECTION_STATUSES, type ProtectionStatus } from './status';
export { applyVmQuery } from './vm-query';
export { expectedInterval, setExpectedInterval, type ExpectedInterval } from './expected-interval';
export type { VmProtection, ProtectionCounts } from './vm-protection';

export type VmProtectionReport = {
  vms: VmProtection[];
  counts: ProtectionCounts;
  /** Epoch milliseconds of the reads behind it. */
  asOf: number;
  freshness: Freshness;
};

const reports = sharedCache<Omit<VmProtectionReport, 'freshness'>>('protection.vms', { freshMs: 0, max: 200 });

/** How many `show` calls run at once for the details a pool listing leaves out. */
const SHOW_CONCURRENCY = 4;

async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (t: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/**
 * A pool listing may carry only the IDs of scheduled actions (oned builds pool bodies without
 * them): the objects that have some are read one by one.
 */
async function withSchedActions<T extends Vm | BackupJob>(items: T[], show: (id: number) => Promise<T>): Promise<T[]> {
  const missing = items.filter((x) => x.schedActionIds.length > 0 && x.schedActions.length === 0);
  if (missing.length === 0) return items;
  const shown = new Map((await mapLimited(missing, SHOW_CONCURRENCY, (x) => show(x.id))).map((x) => [x.id, x]));
  return items.map((x) => shown.get(x.id) ?? x);
}

async function readReport(reader: Reader): Promise<Omit<VmProtectionReport, 'freshness'>> {
  const own = reader.credential;
  const service: OneCredential = { kind: 'service' };
  const [vms, images, jobs, visibleJobs, datastores] = await Promise.all([
    listVms(own).then((v) => withSchedActions(v, (id) => getVm(own, id))),
    listBackupImages(own),
    // Which VMs a job failed and its schedule are about the reader's own VMs; the job itself (its
    // name) shows only when OpenNebula shows it to them.
    listBackupJobs(service).then((j) => withSchedActions(j, (id) => getBackupJob(service, id))),
    reader.isAdmin ? undefined : listBackupJobs(own),
    listDatastores(own),
  ]);
  const asOf = Date.now();
  const rows = vmProtectionRows({
    vms,
    images,
    jobs,
    ...(visibleJobs ? { visibleJobIds: new Set(visibleJobs.map((j) => j.id)) } : {}),
    datastores,
    intervals: expectedIntervals(),
    now: Math.floor(asOf / 1000),
  });
  return { vms: rows, counts: protectionCounts(rows), asOf };
}

/**
 * Every VM the reader may see (OpenNebula's answer for their own identity) with its protection,
 * within the page bound: the last answer (marked stale) when a newer read is slow; StillReading
 * when nothing was read before.
 */
export async function readVmProtection(
  reader: Reader,
  opts: { signal?: AbortSignal; answerWithinMs?: number } = {},
): Promise<VmProtectionReport> {
  const key = `${reader.isAdmin ? 'admin' : 'user'}\0${reader.username}`;
  const answer = await reports.within(key, () => readReport(reader), opts.answerWithinMs ?? ANSWER_WITHIN_MS, {
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  if (answer.value === undefined)
    throw new StillReading('Backstone is still reading the VMs from OpenNebula. This page asks again shortly.');
  return { ...answer.value, freshness: answer.freshness };
}
