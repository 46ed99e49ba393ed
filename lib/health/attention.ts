// What needs attention now, as items ranked worst first, each with the one action that fixes it
// (or the page where it is fixed). Pure: the facts come from what the catalog, the jobs store and
// the check results already know (collect.ts); nothing here reads a server.

import type { Problem, RepositoryRow } from '@/lib/catalog/types';
import { formatAge } from '@/lib/schemas/format-time';
import type { CheckRecord, LockInspection } from '@/lib/schemas/maintenance';

export type AttentionKind =
  // VMs and Backup Jobs: fed by lib/protection and the Backup Job pages (other parts of issue 25).
  | 'vm-failed'
  | 'vm-overdue'
  | 'vm-never'
  | 'backup-job-error'
  | 'backup-job-outdated'
  // Backup servers, repositories and datastores.
  | 'server-unreachable'
  | 'check-failed'
  | 'broken-chain'
  | 'stale-lock'
  | 'datastore-full'
  | 'datastore-filling'
  | 'dangling-image'
  | 'orphan-snapshots'
  | 'not-verified'
  | 'job-failed'
  | 'lock-held'
  | 'not-read-yet'
  | 'job-running';

export type Severity = 'critical' | 'warning' | 'info';

export type Fix = { label: string; href: string };

export type AttentionItem = {
  kind: AttentionKind;
  severity: Severity;
  /** One line, in plain words: what is wrong and where. */
  title: string;
  detail?: string;
  /** How many of the thing (snapshots, images, locks...) the item stands for. */
  count: number;
  /** The one action that fixes it, or the page where it is fixed; none when the reader cannot act. */
  fix?: Fix;
  datastoreId?: number;
  repository?: string;
  vmId?: number;
  backupJobId?: number;
  jobId?: number;
};

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, warning: 1, info: 2 };

/** Within a severity: what loses data or stops backups first, then what wastes space, then news. */
const KIND_RANK: Record<AttentionKind, number> = {
  'server-unreachable': 0,
  'vm-failed': 1,
  'check-failed': 2,
  'broken-chain': 3,
  'datastore-full': 4,
  'stale-lock': 5,
  'backup-job-error': 6,
  'vm-overdue': 7,
  'vm-never': 8,
  'backup-job-outdated': 9,
  'job-failed': 10,
  'datastore-filling': 11,
  'dangling-image': 12,
  'orphan-snapshots': 13,
  'not-verified': 14,
  'lock-held': 15,
  'not-read-yet': 16,
  'job-running': 17,
};

/** Worst first: severity, then kind, then the larger count, then datastore, repository, IDs. */
export function rankItems(items: readonly AttentionItem[]): AttentionItem[] {
  return [...items].sort(
    (a, b) =>
      SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
      KIND_RANK[a.kind] - KIND_RANK[b.kind] ||
      b.count - a.count ||
      (a.datastoreId ?? -1) - (b.datastoreId ?? -1) ||
      (a.repository ?? '').localeCompare(b.repository ?? '', 'en', { numeric: true }) ||
      (a.vmId ?? -1) - (b.vmId ?? -1) ||
      (a.backupJobId ?? -1) - (b.backupJobId ?? -1) ||
      (b.jobId ?? -1) - (a.jobId ?? -1),
  );
}

export type HealthThresholds = {
  /** A repository not verified for this many days needs a check. */
  verifyWithinDays: number;
  /** A datastore fuller than this (percent) needs space. */
  fullPercent: number;
  /** A datastore full within this many days at the current rate needs space. */
  fullWithinDays: number;
};

export const DEFAULT_THRESHOLDS: HealthThresholds = { verifyWithinDays: 30, fullPercent: 90, fullWithinDays: 30 };

/** restic refreshes a live lock every 5 minutes and calls one older than 30 minutes stale. */
export const LOCK_STALE_AFTER_MS = 30 * 60_000;

const DAY_MS = 86_400_000;

const cap = (s: string) => `${s.charAt(0).toUpperCase()}${s.slice(1)}`;

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

const daysAgo = (at: number, now: number): string => formatAge(at, now, { days: true });

export const hrefs = {
  repository: (ds: number, repo: string) => `/datastores/${ds}/repos/${encodeURIComponent(repo)}`,
  maintenance: (ds: number, repo: string) => `/datastores/${ds}/maintenance/${encodeURIComponent(repo)}`,
  locks: (ds: number, repo: string) => `/datastores/${ds}/maintenance/${encodeURIComponent(repo)}#locks`,
  datastore: (ds: number, tab?: 'capacity' | 'maintenance') => `/datastores/${ds}${tab ? `?tab=${tab}` : ''}`,
  job: (id: number) => `/jobs/${id}`,
  vm: (id: number) => `/vms/${id}`,
  vms: (status: string) => `/vms?status=${status}`,
  backupJob: (id: number) => `/backup-jobs/${id}`,
};

export type DatastoreRef = { id: number; name: string };

const repoLabel = (row: Pick<RepositoryRow, 'name' | 'kind' | 'vmName' | 'jobName'>) => {
  const who = row.kind === 'vm' ? row.vmName : row.jobName;
  return who ? `repository ${row.name} (${who})` : `repository ${row.name}`;
};

const count = (problems: readonly Problem[], ...kinds: Problem['kind'][]) =>
  problems.filter((p) => kinds.includes(p.kind)).length;

export type RepositoryFacts = {
  row: RepositoryRow;
  /** The lock inspection (the maintenance page's, shared), when known. */
  inspection?: LockInspection;
  /** The newest `restic check` Backstone ran on it; admins only. */
  lastCheck?: CheckRecord;
};

/**
 * A repository's items. `isAdmin`: maintenance (unlock, check, cleanup) is an admin's, so a VM
 * owner gets the repository page, and no verification items.
 */
export function repositoryItems(
  ds: DatastoreRef,
  facts: RepositoryFacts,
  opts: { isAdmin: boolean; now: number; thresholds: HealthThresholds },
): AttentionItem[] {
  const { row, lastCheck } = facts;
  const where = { datastoreId: ds.id, repository: row.name, vmId: row.vmId };
  const label = repoLabel(row);
  const fixOr = (fix: Fix): Fix =>
    opts.isAdmin ? fix : { label: 'Open the repository', href: hrefs.repository(ds.id, row.name) };
  const items: AttentionItem[] = [];

  // Consistency: known only once restic has read the repository's snapshots.
  const broken = count(row.problems, 'broken-chain', 'dangling-increment');
  if (broken > 0)
    items.push({
      ...where,
      kind: 'broken-chain',
      severity: 'critical',
      count: broken,
      title: `${plural(broken, 'broken backup chain')} in ${label}`,
      detail: 'An increment refers to a snapshot that is gone: restoring it or what follows it fails.',
      fix: fixOr({ label: 'Review in maintenance', href: hrefs.maintenance(ds.id, row.name) }),
    });
  const dangling = count(row.problems, 'dangling-image');
  if (dangling > 0)
    items.push({
      ...where,
      kind: 'dangling-image',
      severity: 'warning',
      count: dangling,
      title: `${plural(dangling, 'dangling backup image')} in ${label}`,
      detail: 'OpenNebula lists a backup whose restic snapshot is gone; restoring it fails.',
      fix: fixOr({ label: 'Delete in maintenance', href: hrefs.maintenance(ds.id, row.name) }),
    });
  const orphans = count(row.problems, 'orphan-snapshot');
  if (orphans > 0)
    items.push({
      ...where,
      kind: 'orphan-snapshots',
      severity: 'warning',
      count: orphans,
      title: `${plural(orphans, 'orphan snapshot')} in ${label}`,
      detail: 'No backup image or increment refers to them: they hold space nobody can restore from OpenNebula.',
      fix: fixOr({ label: 'Clean up in maintenance', href: hrefs.maintenance(ds.id, row.name) }),
    });

  items.push(...lockItems(ds, facts, opts, where, label, fixOr));

  if (opts.isAdmin && row.snapshotCount > 0) {
    if (lastCheck && !lastCheck.ok)
      items.push({
        ...where,
        kind: 'check-failed',
        severity: 'critical',
        count: Math.max(1, lastCheck.errors.length),
        title: `The last check of ${label} found errors (${daysAgo(lastCheck.at, opts.now)})`,
        detail: lastCheck.errors[0],
        fix: { label: 'Check again', href: hrefs.maintenance(ds.id, row.name) },
      });
    else if (!lastCheck || opts.now - lastCheck.at > opts.thresholds.verifyWithinDays * DAY_MS)
      items.push({
        ...where,
        kind: 'not-verified',
        severity: 'info',
        count: 1,
        title: lastCheck
          ? `${cap(label)} last verified ${daysAgo(lastCheck.at, opts.now)}`
          : `${cap(label)} never verified by Backstone`,
        detail: lastCheck
          ? `restic check has not run on it in the last ${opts.thresholds.verifyWithinDays} days.`
          : 'Backstone has no record of a restic check on it: its data was never proven readable.',
        fix: { label: 'Run a check', href: hrefs.maintenance(ds.id, row.name) },
      });
  }
  return items;
}

function lockItems(
  ds: DatastoreRef,
  { row, inspection }: RepositoryFacts,
  opts: { now: number },
  where: Pick<AttentionItem, 'datastoreId' | 'repository' | 'vmId'>,
  label: string,
  fixOr: (f: Fix) => Fix,
): AttentionItem[] {
  const locks = row.locks ?? 0;
  if (locks === 0) return [];
  // The maintenance page's inspection, when it saw the same number of lock files: restic's verdict.
  if (inspection && inspection.locks.length === locks) {
    const stale = inspection.locks.filter((l) => l.verdict === 'stale').length;
    if (stale > 0)
      return [
        {
          ...where,
          kind: 'stale-lock',
          severity: 'critical',
          count: stale,
          title: `${plural(stale, 'stale lock')} on ${label}`,
          detail: 'Backups and prune of this repository fail until it is removed.',
          fix: fixOr({ label: 'Unlock in maintenance', href: hrefs.locks(ds.id, row.name) }),
        },
      ];
    return [
      {
        ...where,
        kind: 'lock-held',
        severity: 'info',
        count: locks,
        title: `${cap(label)} is locked (${plural(locks, 'lock')}, possibly active)`,
        fix: fixOr({ label: 'See the locks', href: hrefs.locks(ds.id, row.name) }),
      },
    ];
  }
  // Without an inspection: the lock files' age alone. restic refreshes a live lock every 5 minutes.
  if (row.newestLockAt !== undefined && opts.now - row.newestLockAt > LOCK_STALE_AFTER_MS)
    return [
      {
        ...where,
        kind: 'stale-lock',
        severity: 'critical',
        count: locks,
        title: `${plural(locks, 'stale lock')} on ${label}`,
        detail:
          'Not refreshed for over 30 minutes: restic calls it stale. Backups of this repository fail until it goes.',
        fix: fixOr({ label: 'Unlock in maintenance', href: hrefs.locks(ds.id, row.name) }),
      },
    ];
  return [
    {
      ...where,
      kind: 'lock-held',
      severity: 'warning',
      count: locks,
      title: `${cap(label)} is locked (${plural(locks, 'lock')}, verdict not read yet)`,
      detail: 'A backup may hold it; the maintenance page tells a stale lock from a live one.',
      fix: fixOr({ label: 'See the locks', href: hrefs.locks(ds.id, row.name) }),
    },
  ];
}

export type CapacityFacts = {
  /** What is still available to write: df's "available" or OpenNebula's FREE_MB, as the pages show it. */
  availableBytes: number;
  totalBytes: number;
  /** When the datastore is full at the current rate, if the samples tell. */
  fullAt?: number;
};

export function capacityItems(
  ds: DatastoreRef,
  c: CapacityFacts | undefined,
  opts: { now: number; thresholds: HealthThresholds },
): AttentionItem[] {
  if (!c || c.totalBytes <= 0) return [];
  // Full is the share not available, the complement of the pages' "% free" (capacity-bar.tsx): used +
  // available is less than the total on most file systems (blocks reserved for root), so used / total
  // would call a datastore less full than the free figure shown beside it says.
  const free = Math.min(1, Math.max(0, c.availableBytes / c.totalBytes));
  const percent = Math.round((1 - free) * 100);
  const fix = { label: 'See capacity', href: hrefs.datastore(ds.id, 'capacity') };
  if (percent >= opts.thresholds.fullPercent)
    return [
      {
        datastoreId: ds.id,
        kind: 'datastore-full',
        severity: 'critical',
        count: percent,
        title: `Datastore ${ds.name} is ${percent}% full`,
        detail: 'Backups fail once the backup server runs out of space: prune, or forget what is not needed.',
        fix,
      },
    ];
  if (c.fullAt !== undefined && c.fullAt - opts.now <= opts.thresholds.fullWithinDays * DAY_MS) {
    const days = Math.max(0, Math.ceil((c.fullAt - opts.now) / DAY_MS));
    return [
      {
        datastoreId: ds.id,
        kind: 'datastore-filling',
        severity: 'warning',
        count: percent,
        title: `Datastore ${ds.name} is full within ${plural(days, 'day')} at the current rate (${percent}% now)`,
        fix,
      },
    ];
  }
  return [];
}

/** A job as the health page needs it (lib/jobs' Job). */
export type JobFacts = {
  id: number;
  kind: string;
  title: string;
  status: string;
  finishedAt?: number;
  message: string;
};

export const FAILED_JOBS_WITHIN_MS = DAY_MS;

export function jobItems(jobs: readonly JobFacts[], now: number): AttentionItem[] {
  const items: AttentionItem[] = [];
  for (const j of jobs) {
    const fix = { label: 'Open the job', href: hrefs.job(j.id) };
    if ((j.status === 'failed' || j.status === 'interrupted') && now - (j.finishedAt ?? 0) <= FAILED_JOBS_WITHIN_MS)
      items.push({
        kind: 'job-failed',
        severity: 'warning',
        count: 1,
        jobId: j.id,
        title: `Job ${j.id} ${j.status}: ${j.title}`,
        detail: j.message || undefined,
        fix,
      });
    else if (j.status === 'running' || j.status === 'queued')
      items.push({
        kind: 'job-running',
        severity: 'info',
        count: 1,
        jobId: j.id,
        title: `Job ${j.id} ${j.status}: ${j.title}`,
        fix,
      });
  }
  return items;
}

/** What is not known yet about a datastore: said, never waited for. */
export function notReadItems(
  ds: DatastoreRef,
  state: { reading: boolean; pending: number; unreachable?: string },
): AttentionItem[] {
  const base = { datastoreId: ds.id, fix: { label: 'Open the datastore', href: hrefs.datastore(ds.id) } };
  if (state.unreachable !== undefined)
    return [
      {
        ...base,
        kind: 'server-unreachable',
        severity: 'critical',
        count: 1,
        title: `The backup server of datastore ${ds.name} cannot be read`,
        detail: state.unreachable,
      },
    ];
  if (state.reading)
    return [
      {
        ...base,
        kind: 'not-read-yet',
        severity: 'info',
        count: 1,
        title: `Datastore ${ds.name}: not read yet`,
        detail: 'The backup server has not answered yet; its repositories follow when it has.',
      },
    ];
  if (state.pending > 0)
    return [
      {
        ...base,
        kind: 'not-read-yet',
        severity: 'info',
        count: state.pending,
        title: `Datastore ${ds.name}: ${plural(state.pending, 'repository', 'repositories')} not read yet`,
        detail: 'restic is still reading their new snapshots; their consistency follows.',
      },
    ];
  return [];
}

/** A VM as the health page needs it (lib/protection's VmProtection). */
export type VmFacts = { id: number; name: string; status: string; reason: string };

/** Beyond this many VMs of one status, one item stands for them all and leads to the filtered list. */
export const VMS_LISTED_ONE_BY_ONE = 5;

const VM_KINDS = {
  failed: { kind: 'vm-failed', severity: 'critical', words: 'last backup failed' },
  overdue: { kind: 'vm-overdue', severity: 'warning', words: 'backup overdue' },
  never: { kind: 'vm-never', severity: 'warning', words: 'never backed up' },
} as const satisfies Record<string, { kind: AttentionKind; severity: Severity; words: string }>;

/** VMs whose backup failed, is overdue or never happened: each with "Back up now" on its page. */
export function vmItems(vms: readonly VmFacts[]): AttentionItem[] {
  const items: AttentionItem[] = [];
  for (const [status, k] of Object.entries(VM_KINDS)) {
    const these = vms.filter((v) => v.status === status);
    if (these.length > VMS_LISTED_ONE_BY_ONE) {
      items.push({
        kind: k.kind,
        severity: k.severity,
        count: these.length,
        title: `${plural(these.length, 'VM')}: ${k.words}`,
        detail: `${these
          .slice(0, 3)
          .map((v) => v.name)
          .join(', ')} and ${these.length - 3} more.`,
        fix: { label: 'Show them', href: hrefs.vms(status) },
      });
      continue;
    }
    for (const v of these)
      items.push({
        kind: k.kind,
        severity: k.severity,
        count: 1,
        vmId: v.id,
        title: `VM ${v.name} (${v.id}): ${k.words}`,
        detail: v.reason,
        fix: { label: 'Back up now', href: hrefs.vm(v.id) },
      });
  }
  return items;
}

/** A Backup Job as the health page needs it (lib/opennebula's BackupJob). */
export type BackupJobFacts = { id: number; name: string; errorVms: number[]; outdatedVms: number[] };

/**
 * Backup Jobs with VMs they could not back up (retry them), or with VMs still waiting in the
 * current run (OUTDATED_VMS: oned fills it at each run and empties it VM by VM; a job that keeps
 * them is stuck, and oned refuses to run it again until they are done or the run is canceled).
 */
export function backupJobItems(jobs: readonly BackupJobFacts[]): AttentionItem[] {
  const items: AttentionItem[] = [];
  for (const j of jobs) {
    const fix = (label: string) => ({ label, href: hrefs.backupJob(j.id) });
    if (j.errorVms.length > 0)
      items.push({
        kind: 'backup-job-error',
        severity: 'critical',
        count: j.errorVms.length,
        backupJobId: j.id,
        title: `Backup Job ${j.name} (${j.id}): ${plural(j.errorVms.length, 'VM')} failed`,
        detail: `VM ${j.errorVms.join(', ')}`,
        fix: fix('Retry failed'),
      });
    if (j.outdatedVms.length > 0)
      items.push({
        kind: 'backup-job-outdated',
        severity: 'warning',
        count: j.outdatedVms.length,
        backupJobId: j.id,
        title: `Backup Job ${j.name} (${j.id}): ${plural(j.outdatedVms.length, 'VM')} waiting in its current run`,
        detail: `VM ${j.outdatedVms.join(', ')}`,
        fix: fix('Open the Backup Job'),
      });
  }
  return items;
}

/** Counts per kind, for the summary line. */
export function tally(items: readonly AttentionItem[]): Partial<Record<AttentionKind, number>> {
  const out: Partial<Record<AttentionKind, number>> = {};
  for (const i of items) out[i.kind] = (out[i.kind] ?? 0) + i.count;
  return out;
}
