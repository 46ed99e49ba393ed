import 'server-only';
import {
  ANSWER_WITHIN_MS,
  estimateFull,
  isResticBackupDatastore,
  leastFresh,
  openNebulaWithin,
  readOverview,
  samples,
  StillReading,
  type DatastoreOverview,
  type Freshness,
  type Reader,
} from '@/lib/catalog';
import { isExpectedError } from '@/lib/errors';
import { visibleJobs } from '@/lib/jobs';
import { logger } from '@/lib/log';
import { inspectLocksWithin, lastChecks } from '@/lib/maintenance';
import type { CheckRecord, LockInspection } from '@/lib/schemas/maintenance';
import { listBackupJobs, listDatastores, type Datastore } from '@/lib/opennebula';
import { readVmProtection, type ProtectionCounts } from '@/lib/protection';
import {
  backupJobItems,
  capacityItems,
  DEFAULT_THRESHOLDS,
  jobItems,
  notReadItems,
  rankItems,
  repositoryItems,
  vmItems,
  type AttentionItem,
  type CapacityFacts,
  type HealthThresholds,
} from './attention';

// The health home page's facts, from what the catalog already knows: each restic datastore's
// overview answered within the pages' bound (the backup server's listing is shared with every
// other page, and restic is asked only about snapshots it never read, in the background), the
// lock inspections the maintenance pages made, the stored check results and capacity samples, and
// the jobs store. Nothing waits on a fresh restic run: what is not known yet is said so.

const log = logger('health');

export type DatastoreHealth = { id: number; name: string; repositories: number; state: 'read' | 'reading' | 'failed' };

export type HealthReport = {
  items: AttentionItem[];
  datastores: DatastoreHealth[];
  /** Something is still being read: the page asks again. */
  incomplete: boolean;
  /** "212 VMs: 205 protected, 4 overdue, 3 never"; absent while the VMs are still being read. */
  protection?: ProtectionCounts;
  /** How fresh OpenNebula's answers behind it are (its datastores, VMs and Backup Jobs): a slow oned shows the last ones. */
  opennebula: Freshness;
  generatedAt: number;
};

export type HealthOptions = { answerWithinMs?: number; thresholds?: HealthThresholds; signal?: AbortSignal };

function capacityOf(ds: Datastore, overview: DatastoreOverview, now: number): CapacityFacts | undefined {
  const fs = overview.filesystem;
  const estimate = estimateFull(samples(ds.id, undefined, now));
  const fullAt = estimate.kind === 'date' ? estimate.at : undefined;
  if (fs) return { availableBytes: fs.availableBytes, totalBytes: fs.totalBytes, fullAt };
  // The monitor's figures, when the backup server's listing is not known.
  if (ds.totalMb > 0) return { availableBytes: ds.freeMb * 2 ** 20, totalBytes: ds.totalMb * 2 ** 20, fullAt };
  return undefined;
}

async function datastoreHealth(
  reader: Reader,
  ds: Datastore,
  opts: { deadline: number; thresholds: HealthThresholds; signal?: AbortSignal },
): Promise<{ items: AttentionItem[]; health: DatastoreHealth; opennebula?: Freshness }> {
  const ref = { id: ds.id, name: ds.name };
  let overview: DatastoreOverview;
  let opennebula: Freshness | undefined;
  try {
    const read = await readOverview(reader, ds.id, opts.signal, ds, {
      answerWithinMs: Math.max(0, opts.deadline - Date.now()),
    });
    overview = read.overview;
    opennebula = read.opennebula;
  } catch (err) {
    if (!isExpectedError(err)) throw err;
    log.warn('datastore not readable for the health page', { datastore: ds.id, error: err.message });
    return {
      items: notReadItems(ref, { reading: false, pending: 0, unreachable: err.userMessage }),
      health: { ...ref, repositories: 0, state: 'failed' },
    };
  }
  const now = Date.now();
  const reading = overview.freshness.state === 'reading';
  const f = overview.freshness;
  const failed = f.state === 'stale' && f.reason === 'failed';
  const unreachable =
    overview.server?.reachable === false ? overview.server.message : failed ? (f.message ?? '') : undefined;
  const checks = reader.isAdmin ? lastChecks(ds.id) : new Map<string, CheckRecord>();
  const inspections =
    reader.isAdmin && !reading
      ? await lockVerdicts(ds.id, overview, opts.deadline)
      : new Map<string, LockInspection | null | undefined>();
  const judging = [...inspections.values()].some((i) => i === undefined);
  const items: AttentionItem[] = [...notReadItems(ref, { reading, pending: overview.pending, unreachable })];
  if (!reading)
    for (const row of overview.repositories)
      items.push(
        ...repositoryItems(
          ref,
          {
            row,
            inspection: inspections.get(row.name) ?? undefined,
            lastCheck: checks.get(row.name),
          },
          { isAdmin: reader.isAdmin, now, thresholds: opts.thresholds },
        ),
      );
  // How full a datastore is concerns whoever can act on it: its admins.
  if (reader.isAdmin)
    items.push(...capacityItems(ref, capacityOf(ds, overview, now), { now, thresholds: opts.thresholds }));
  return {
    items,
    health: {
      ...ref,
      repositories: overview.repositories.length,
      state: reading || overview.pending > 0 || judging ? 'reading' : unreachable !== undefined ? 'failed' : 'read',
    },
    ...(opennebula ? { opennebula } : {}),
  };
}

/**
 * The verdicts on the locks the listing shows, for repositories that have lock files only (rare:
 * a running backup or a stale lock). The inspection is the maintenance page's own, shared with it
 * and kept LOCKS_FRESH_MS; the page waits for it until the deadline at most, then says the verdict
 * is not read yet (undefined) and asks again.
 */
async function lockVerdicts(
  datastoreId: number,
  overview: DatastoreOverview,
  deadline: number,
): Promise<Map<string, LockInspection | null | undefined>> {
  const locked = overview.repositories.filter((r) => (r.locks ?? 0) > 0);
  const answers = await Promise.all(
    locked.map(async (r) => {
      try {
        return (await inspectLocksWithin(datastoreId, r.name, Math.max(0, deadline - Date.now()))).value;
      } catch (err) {
        // The lock files' age still tells (attention.ts); the maintenance page shows the error.
        log.warn('locks not inspected for the health page', {
          datastore: datastoreId,
          repository: r.name,
          error: err instanceof Error ? err.message : String(err),
        });
        return null;
      }
    }),
  );
  // undefined: still reading; null: the inspection failed.
  return new Map(locked.map((r, i) => [r.name, answers[i]]));
}

/** The reader's VMs and their protection, within the bound; undefined while still reading. */
async function vmProtection(reader: Reader, deadline: number, signal?: AbortSignal) {
  try {
    return await readVmProtection(reader, { answerWithinMs: Math.max(0, deadline - Date.now()), signal });
  } catch (err) {
    if (err instanceof StillReading) return undefined;
    throw err;
  }
}

/** One of OpenNebula's lists within the bound: the last one when oned is slow, nothing while still reading. */
async function oneList<T>(
  reader: Reader,
  what: string,
  load: () => Promise<T[]>,
  deadline: number,
  signal?: AbortSignal,
): Promise<{ value: T[]; freshness: Freshness }> {
  const key = `health\0${what}\0${reader.isAdmin ? 'admin' : 'user'}\0${reader.username}`;
  try {
    return await openNebulaWithin(key, load, {
      what,
      answerWithinMs: Math.max(0, deadline - Date.now()),
      ...(signal ? { signal } : {}),
    });
  } catch (err) {
    if (err instanceof StillReading) return { value: [], freshness: { state: 'reading' } };
    throw err;
  }
}

/** What needs the reader's attention now, worst first, answered within `answerWithinMs`. */
export async function readHealth(reader: Reader, opts: HealthOptions = {}): Promise<HealthReport> {
  const answerWithinMs = opts.answerWithinMs ?? ANSWER_WITHIN_MS;
  const thresholds = opts.thresholds ?? DEFAULT_THRESHOLDS;
  const started = Date.now();
  const deadline = started + answerWithinMs;
  // The VMs and Backup Jobs come from OpenNebula for the reader's own identity (what it shows them),
  // each within the bound like the backup server's reads.
  const [datastoreList, protection, backupJobList] = await Promise.all([
    oneList(reader, 'the datastores', () => listDatastores(reader.credential), deadline, opts.signal),
    vmProtection(reader, deadline, opts.signal),
    oneList(reader, 'the Backup Jobs', () => listBackupJobs(reader.credential), deadline, opts.signal),
  ]);
  const restic = datastoreList.value.filter(isResticBackupDatastore);
  const backupJobs = backupJobList.value;
  const per = await Promise.all(
    restic.map((ds) => datastoreHealth(reader, ds, { deadline, thresholds, signal: opts.signal })),
  );
  const opennebula = leastFresh(
    datastoreList.freshness,
    backupJobList.freshness,
    protection ? protection.freshness : { state: 'reading' },
    ...per.flatMap((p) => (p.opennebula ? [p.opennebula] : [])),
  );
  const now = Date.now();
  const items = rankItems([
    ...(protection ? vmItems(protection.vms) : []),
    ...backupJobItems(backupJobs),
    ...per.flatMap((p) => p.items),
    ...jobItems(visibleJobs(reader), now),
  ]);
  const datastores = per.map((p) => p.health);
  return {
    items,
    datastores,
    incomplete: opennebula.state !== 'fresh' || datastores.some((d) => d.state === 'reading'),
    ...(protection ? { protection: protection.counts } : {}),
    opennebula,
    generatedAt: now,
  };
}
