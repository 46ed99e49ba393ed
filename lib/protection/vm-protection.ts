import type { BackupJob, Datastore, Image, SchedAction, Vm } from '@/lib/opennebula/models';
import { describeSchedule, nextRun } from './schedule';
import { backupFailure, DEFAULT_EXPECTED_INTERVAL_SECONDS, protectionStatus, type ProtectionStatus } from './status';

// One row per VM: what OpenNebula says about its backups, joined from the VM, its backup images,
// its Backup Job and the datastores, and the status that follows. Pure: the reader (index.ts) does
// the reading.

export type VmProtection = {
  id: number;
  name: string;
  uname: string;
  gname: string;
  state: string;
  lcmState: string;
  /** The backup datastores its backups are in or go to. */
  datastores: { id: number; name: string }[];
  mode?: string;
  incrementMode?: string;
  keepLast?: number;
  fsFreeze?: string;
  backupVolatile?: boolean;
  /** Its Backup Job; the name only when OpenNebula shows the job to the reader. */
  job?: { id: number; name?: string };
  /** The schedule that applies, in words (the VM's own backup actions, else its Backup Job's). */
  schedule?: string;
  nextRunAt?: number;
  lastBackupAt?: number;
  lastBackupSizeMb?: number;
  /** Increments of its newest backup image (0 for a FULL-mode image). */
  chainLength?: number;
  status: ProtectionStatus;
  reason: string;
};

export type ProtectionFacts = {
  vms: readonly Vm[];
  /** BACKUP images the reader may see. */
  images: readonly Image[];
  /** Every Backup Job (the service's view, for ERROR_VMS and schedules), with full SCHED_ACTIONs where known. */
  jobs: readonly BackupJob[];
  /** The IDs of the Backup Jobs OpenNebula shows the reader (undefined: all). */
  visibleJobIds?: ReadonlySet<number>;
  datastores: readonly Pick<Datastore, 'id' | 'name'>[];
  /** Per-datastore expected intervals that differ from the default, seconds. */
  intervals: ReadonlyMap<number, number>;
  now: number;
};

/** When an image's newest backup was taken: its last increment, else its registration. */
function imageBackupAt(image: Image): number {
  const last = image.increments.at(-1);
  return last ? Math.max(last.date, image.regtime) : image.regtime;
}

function isBackupAction(s: SchedAction): boolean {
  return s.action.toLowerCase() === 'backup';
}

/** The datastore a VM's scheduled backup goes to (ARGS "<ds>,<reset>"). */
function schedDatastore(s: SchedAction): number | undefined {
  const first = s.args.split(',')[0]?.trim();
  return first && /^\d+$/.test(first) ? Number(first) : undefined;
}

/** The schedule to show in words: the one that runs soonest (oned runs each). */
function soonest(actions: SchedAction[], now: number): SchedAction | undefined {
  const withNext = actions.map((s) => ({ s, next: nextRun(s, now) }));
  withNext.sort((a, b) => (a.next ?? Infinity) - (b.next ?? Infinity));
  return withNext[0]?.s;
}

/**
 * Why a job's VM failed: the job's ERROR when it names this VM (launch errors), else the VM's own
 * backup ERROR (a driver failure does not reach the job).
 */
function jobFailure(job: BackupJob, vm: Vm): { jobId: number; message?: string } {
  if (job.error && new RegExp(`\\bVM ${vm.id}\\b`).test(job.error)) return { jobId: job.id, message: job.error };
  const own = backupFailure(vm.error);
  return own ? { jobId: job.id, message: own.message } : { jobId: job.id };
}

export function vmProtectionRows(facts: ProtectionFacts): VmProtection[] {
  const { now } = facts;
  const imagesById = new Map(facts.images.map((i) => [i.id, i]));
  const imagesByVm = new Map<number, Image[]>();
  for (const image of facts.images)
    for (const vmId of image.vmIds) {
      const list = imagesByVm.get(vmId);
      if (list) list.push(image);
      else imagesByVm.set(vmId, [image]);
    }
  const jobOfVm = new Map<number, BackupJob>();
  for (const job of facts.jobs) for (const vmId of job.vmIds) jobOfVm.set(vmId, job);
  const dsName = new Map(facts.datastores.map((d) => [d.id, d.name]));

  return facts.vms.map((vm) => {
    const cfg = vm.backups.config;
    const images = new Map<number, Image>();
    for (const id of vm.backups.backupIds) {
      const image = imagesById.get(id);
      if (image) images.set(id, image);
    }
    for (const image of imagesByVm.get(vm.id) ?? []) images.set(image.id, image);
    const newest = [...images.values()].sort((a, b) => imageBackupAt(b) - imageBackupAt(a) || b.id - a.id)[0];

    const job =
      (cfg.backupJobId !== undefined ? facts.jobs.find((j) => j.id === cfg.backupJobId) : undefined) ??
      jobOfVm.get(vm.id);
    const jobId = job?.id ?? cfg.backupJobId;
    const ownActions = vm.schedActions.filter(isBackupAction);
    const jobActions = job?.schedActions.filter(isBackupAction) ?? [];
    // A VM in a Backup Job is backed up by the job (oned skips its own scheduled backups).
    const actions = jobId !== undefined ? jobActions : ownActions;
    const owner = jobId !== undefined ? `Backup Job ${jobId}` : 'the VM';

    const dsIds = new Set<number>();
    for (const image of images.values()) dsIds.add(image.datastoreId);
    if (job?.datastoreId !== undefined) dsIds.add(job.datastoreId);
    for (const s of ownActions) {
      const ds = schedDatastore(s);
      if (ds !== undefined) dsIds.add(ds);
    }
    if (cfg.lastDatastoreId !== undefined) dsIds.add(cfg.lastDatastoreId);
    const datastores = [...dsIds].sort((a, b) => a - b).map((id) => ({ id, name: dsName.get(id) ?? `#${id}` }));
    const intervals = datastores.map((d) => facts.intervals.get(d.id) ?? DEFAULT_EXPECTED_INTERVAL_SECONDS);

    const lastBackupAt = newest ? imageBackupAt(newest) : undefined;
    const verdict = protectionStatus({
      now,
      backingUp: vm.backingUp || (job?.backingUpVms.includes(vm.id) ?? false),
      ...(lastBackupAt !== undefined ? { lastBackupAt } : {}),
      ...(job?.errorVms.includes(vm.id) ? { jobError: jobFailure(job, vm) } : {}),
      ...(vm.error !== undefined ? { vmError: vm.error } : {}),
      schedules: actions.map((sched) => ({ sched, owner })),
      expectedIntervalSeconds: intervals.length ? Math.min(...intervals) : DEFAULT_EXPECTED_INTERVAL_SECONDS,
    });
    const shown = soonest(actions, now);
    const next = shown ? nextRun(shown, now) : undefined;
    const showJobName = job && (facts.visibleJobIds === undefined || facts.visibleJobIds.has(job.id));
    return {
      id: vm.id,
      name: vm.name,
      uname: vm.uname,
      gname: vm.gname,
      state: vm.state,
      lcmState: vm.lcmState,
      datastores,
      ...(cfg.mode !== undefined ? { mode: cfg.mode.toUpperCase() } : {}),
      ...(cfg.incrementMode !== undefined ? { incrementMode: cfg.incrementMode.toUpperCase() } : {}),
      ...(cfg.keepLast !== undefined ? { keepLast: cfg.keepLast } : {}),
      ...(cfg.fsFreeze !== undefined ? { fsFreeze: cfg.fsFreeze.toUpperCase() } : {}),
      ...(cfg.backupVolatile !== undefined ? { backupVolatile: cfg.backupVolatile } : {}),
      ...(jobId !== undefined ? { job: { id: jobId, ...(showJobName ? { name: job.name } : {}) } } : {}),
      ...(shown ? { schedule: `${describeSchedule(shown, { timeZone: 'UTC' })} (UTC)` } : {}),
      ...(next !== undefined ? { nextRunAt: next } : {}),
      ...(lastBackupAt !== undefined ? { lastBackupAt } : {}),
      ...(newest ? { lastBackupSizeMb: newest.increments.at(-1)?.sizeMb ?? newest.sizeMb } : {}),
      ...(newest ? { chainLength: newest.increments.length } : {}),
      status: verdict.status,
      reason: verdict.reason,
    };
  });
}

export type ProtectionCounts = Record<'total' | 'protected' | 'overdue' | 'never' | 'failed' | 'backingUp', number>;

export function protectionCounts(rows: readonly Pick<VmProtection, 'status'>[]): ProtectionCounts {
  const counts: ProtectionCounts = { total: rows.length, protected: 0, overdue: 0, never: 0, failed: 0, backingUp: 0 };
  for (const r of rows) {
    if (r.status === 'backing-up') counts.backingUp++;
    else counts[r.status]++;
  }
  return counts;
}
