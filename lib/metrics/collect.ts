import 'server-only';
import {
  ANSWER_WITHIN_MS,
  isResticBackupDatastore,
  readOverview,
  StillReading,
  type DatastoreOverview,
  type Reader,
} from '@/lib/catalog';
import type { RepositoryRow } from '@/lib/catalog';
import { isExpectedError } from '@/lib/errors';
import { LOCK_STALE_AFTER_MS } from '@/lib/health';
import { jobCounts } from '@/lib/jobs';
import { logger } from '@/lib/log';
import { inspectLocksWithin, lastChecks } from '@/lib/maintenance';
import { listDatastores, type Datastore } from '@/lib/opennebula';
import { readVmProtection } from '@/lib/protection';
import type { LockInspection } from '@/lib/schemas/maintenance';
import type { DatastoreFacts, MetricsFacts, RepositoryFacts, VmFacts } from './facts';

// One scrape's facts, from what the pages already read and within the pages' bound: each restic
// datastore's overview (the backup server's listing shared with every page, restic asked only about
// snapshots never read, in the background), the lock verdicts the maintenance pages share, the
// stored check results, the VMs' protection and the jobs store. Nothing here starts a read a page
// would not: what is not known yet is left out and `backstone_metrics_incomplete` says so.
//
// Prometheus sees the whole cloud, as an admin does: the reads run as Backstone's service identity
// (the ONE_AUTH file), used only once the bearer token was checked (app/metrics/route.ts).

const log = logger('metrics');

const SCRAPER: Reader = { username: 'oneadmin', isAdmin: true, credential: { kind: 'service' } };

type Collected = { datastore: DatastoreFacts; repositories: RepositoryFacts[]; incomplete: boolean };

function capacity(
  ds: Datastore,
  overview: DatastoreOverview | undefined,
): Pick<DatastoreFacts, 'capacityBytes' | 'usedBytes'> {
  const fs = overview?.filesystem;
  if (fs) return { capacityBytes: fs.totalBytes, usedBytes: fs.usedBytes };
  if (ds.totalMb > 0) return { capacityBytes: ds.totalMb * 2 ** 20, usedBytes: ds.usedMb * 2 ** 20 };
  return {};
}

/** Stale locks: restic's verdict when the inspection saw the same lock files, else their age. */
function staleLocks(row: RepositoryRow, inspection: LockInspection | undefined, now: number): number {
  const locks = row.locks ?? 0;
  if (locks === 0) return 0;
  if (inspection && inspection.locks.length === locks)
    return inspection.locks.filter((l) => l.verdict === 'stale').length;
  return row.newestLockAt !== undefined && now - row.newestLockAt > LOCK_STALE_AFTER_MS ? locks : 0;
}

async function lockInspections(
  datastoreId: number,
  rows: RepositoryRow[],
  deadline: number,
): Promise<Map<string, LockInspection | undefined>> {
  const locked = rows.filter((r) => (r.locks ?? 0) > 0);
  const answers = await Promise.all(
    locked.map((r) =>
      inspectLocksWithin(datastoreId, r.name, Math.max(0, deadline - Date.now())).then(
        (a) => a.value,
        () => undefined, // the lock files' age still tells
      ),
    ),
  );
  return new Map(locked.map((r, i) => [r.name, answers[i]]));
}

async function datastoreFacts(ds: Datastore, deadline: number, signal?: AbortSignal): Promise<Collected> {
  let overview: DatastoreOverview;
  try {
    const read = await readOverview(SCRAPER, ds.id, signal, ds, { answerWithinMs: Math.max(0, deadline - Date.now()) });
    overview = read.overview;
  } catch (err) {
    if (!isExpectedError(err)) throw err;
    log.warn('datastore not readable for /metrics', { datastore: ds.id, error: err.message });
    return {
      datastore: {
        id: ds.id,
        name: ds.name,
        ...capacity(ds, undefined),
        repositories: 0,
        snapshots: 0,
        listingFresh: false,
      },
      repositories: [],
      incomplete: true,
    };
  }
  const now = Date.now();
  const reading = overview.freshness.state === 'reading';
  const checks = lastChecks(ds.id);
  const inspections = reading
    ? new Map<string, LockInspection | undefined>()
    : await lockInspections(ds.id, overview.repositories, deadline);
  const repositories = overview.repositories.map((row): RepositoryFacts => {
    const check = checks.get(row.name);
    const last = row.lastBackupAt ? Date.parse(row.lastBackupAt) : NaN;
    return {
      datastoreId: ds.id,
      repository: row.name,
      ...(row.vmId !== undefined ? { vmId: row.vmId } : {}),
      ...(row.storedBytes !== undefined ? { storedBytes: row.storedBytes } : {}),
      snapshots: row.snapshotCount,
      locks: row.locks ?? 0,
      staleLocks: staleLocks(row, inspections.get(row.name), now),
      ...(Number.isFinite(last) ? { lastSnapshotAt: Math.floor(last / 1000) } : {}),
      ...(check ? { lastVerify: { at: check.at, ok: check.ok } } : {}),
    };
  });
  return {
    datastore: {
      id: ds.id,
      name: ds.name,
      ...capacity(ds, overview),
      repositories: overview.totals.repositories,
      snapshots: overview.totals.snapshots,
      listingFresh: overview.freshness.state === 'fresh',
    },
    repositories,
    incomplete: reading || overview.pending > 0,
  };
}

async function vmFacts(deadline: number, signal?: AbortSignal): Promise<VmFacts[] | undefined> {
  try {
    const report = await readVmProtection(SCRAPER, {
      answerWithinMs: Math.max(0, deadline - Date.now()),
      ...(signal ? { signal } : {}),
    });
    return report.vms.map((v) => ({
      id: v.id,
      name: v.name,
      status: v.status,
      ...(v.lastBackupAt !== undefined ? { lastBackupAt: v.lastBackupAt } : {}),
    }));
  } catch (err) {
    if (err instanceof StillReading) return undefined;
    throw err;
  }
}

/** Everything one scrape reports, answered within `answerWithinMs` (the pages' bound by default). */
export async function collectMetrics(
  opts: { answerWithinMs?: number; signal?: AbortSignal } = {},
): Promise<MetricsFacts> {
  const deadline = Date.now() + (opts.answerWithinMs ?? ANSWER_WITHIN_MS);
  const [restic, vms] = await Promise.all([
    listDatastores(SCRAPER.credential).then((all) => all.filter(isResticBackupDatastore)),
    vmFacts(deadline, opts.signal),
  ]);
  const per = await Promise.all(restic.map((ds) => datastoreFacts(ds, deadline, opts.signal)));
  return {
    datastores: per.map((p) => p.datastore),
    repositories: per.flatMap((p) => p.repositories),
    ...(vms ? { vms } : {}),
    jobs: jobCounts(),
    incomplete: vms === undefined || per.some((p) => p.incomplete),
    generatedAt: Date.now(),
  };
}
