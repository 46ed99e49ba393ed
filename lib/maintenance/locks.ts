import 'server-only';
import { sharedCache } from '@/lib/cache';
import { datastoreAccess, sharedInventory, type Answer, type Freshness } from '@/lib/catalog';
import { exec, ExecError, type Target } from '@/lib/exec';
import { logger } from '@/lib/log';
import { listHosts } from '@/lib/opennebula';
import { locks as readLocks, unlock, type Lock, type ResticRepo } from '@/lib/restic';
import type { LockInspection, LockView } from '@/lib/schemas/maintenance';
import { readBackups, repositoryBackups } from './backups';
import { MaintenanceRefused } from './errors';
import {
  judgeLock,
  parsePidReport,
  PID_SCRIPT,
  removeAllBlockers,
  sameHost,
  type PidLookup,
  type PidReport,
} from './verdict';

// The Locks panel's facts: every lock of a repository, read by restic; whether its PID still runs
// on its host (asked over SSH on the backup server, or on the OpenNebula host of that name);
// whether OpenNebula is backing up a VM of the repository. Then the safe unlock, and the unsafe one.

const log = logger('maintenance');

async function askPids(target: Target, pids: number[], signal?: AbortSignal): Promise<PidReport> {
  const r = await exec(target, ['sh', '-c', PID_SCRIPT, 'sh', ...pids.map(String)], { signal, timeoutMs: 20_000 });
  if (r.exitCode !== 0) throw new Error(`the PID check exited ${r.exitCode}`);
  return parsePidReport(r.stdout);
}

// For an S3 datastore, `server` is Backstone's own machine: restic runs there, so a lock made by
// Backstone is checked there; locks made by OpenNebula's hosts are checked on those hosts.
async function lookups(
  server: Target,
  locks: readonly Lock[],
  signal?: AbortSignal,
): Promise<{ byLock: Map<string, PidLookup>; serverHostname?: string }> {
  const byLock = new Map<string, PidLookup>();
  if (locks.length === 0) return { byLock };
  let report: PidReport | undefined;
  try {
    report = await askPids(server, [...new Set(locks.map((l) => l.pid))], signal);
  } catch (err) {
    log.warn('PID check on the backup server failed', { error: err instanceof Error ? err.message : String(err) });
  }
  const elsewhere: Lock[] = [];
  for (const l of locks) {
    if (report && sameHost(l.hostname, report.hostname)) {
      const p = report.pids.get(l.pid);
      byLock.set(l.id, { checkedOn: 'backup-server', state: p?.state ?? 'unknown', name: p?.name });
    } else elsewhere.push(l);
  }
  if (elsewhere.length > 0) {
    const hosts = await listHosts({ kind: 'service' }).catch(() => []);
    const groups = new Map<string, Lock[]>();
    for (const l of elsewhere) {
      const host = hosts.find((h) => sameHost(h.name, l.hostname));
      if (!host) {
        byLock.set(l.id, {
          checkedOn: 'nowhere',
          why: report
            ? `${l.hostname} is neither the backup server (${report.hostname}) nor an OpenNebula host, so PID ${l.pid} could not be checked.`
            : `The backup server could not be asked whether PID ${l.pid} runs.`,
        });
      } else groups.set(host.name, [...(groups.get(host.name) ?? []), l]);
    }
    await Promise.all(
      [...groups.entries()].map(async ([host, group]) => {
        try {
          const r = await askPids({ kind: 'ssh', host }, [...new Set(group.map((l) => l.pid))], signal);
          for (const l of group) {
            const p = r.pids.get(l.pid);
            byLock.set(l.id, { checkedOn: 'opennebula-host', state: p?.state ?? 'unknown', name: p?.name });
          }
        } catch (err) {
          const why = `OpenNebula host ${host} could not be reached to check PID: ${err instanceof ExecError ? err.message : 'the check failed'}.`;
          for (const l of group) byLock.set(l.id, { checkedOn: 'nowhere', why });
        }
      }),
    );
  }
  return { byLock, serverHostname: report?.hostname };
}

async function inspectRepo(
  datastoreId: number,
  repository: string,
  repo: ResticRepo,
  signal?: AbortSignal,
): Promise<LockInspection> {
  const [locks, cloud] = await Promise.all([readLocks(repo, signal), readBackups()]);
  const backups = repositoryBackups(cloud, repository);
  const { byLock, serverHostname } = await lookups(repo.server, locks, signal);
  const now = Date.now();
  const views = locks
    .map((l) =>
      judgeLock(l, byLock.get(l.id) ?? { checkedOn: 'nowhere', why: 'The PID could not be checked.' }, backups, now),
    )
    .sort((a, b) => a.time.localeCompare(b.time));
  return {
    datastoreId,
    repository,
    locks: views,
    backupsRunning: backups,
    serverHostname,
    inspectedAt: now,
    removeAllBlockers: removeAllBlockers(views, backups),
  };
}

/**
 * How long one inspection serves every viewer of a repository's locks without restic. Reading the
 * locks costs a restic process per lock (~0.5 s of the server's CPU each) and a PID check: 200
 * viewers of one repository must not mean 200 of each. Backstone's own unlocks forget it at once.
 */
export const LOCKS_FRESH_MS = 10_000;
const inspections = sharedCache<LockInspection>('maintenance.lock-inspections', { freshMs: LOCKS_FRESH_MS });
const inspectionKey = (datastoreId: number, repository: string) => `${datastoreId}\0${repository}`;

function readInspection(datastoreId: number, repository: string): () => Promise<LockInspection> {
  // Shared by every viewer: no viewer's signal reaches it (see sharedCache).
  return async () => {
    const access = await datastoreAccess(datastoreId);
    return inspectRepo(datastoreId, repository, access.repo(repository));
  };
}

/**
 * How old a known inspection may be to be served: not at all once the lock files the listing shows
 * (`lockIds`) are not the ones it inspected (a lock came or went: restic writes a new file for
 * every lock and every refresh of one).
 */
function maxAge(key: string, lockIds: readonly string[] | undefined, maxAgeMs: number | undefined) {
  const known = lockIds && inspections.peek(key);
  if (!known) return maxAgeMs;
  const inspected = new Set(known.value.locks.map((l) => l.id));
  const same = lockIds.length === inspected.size && lockIds.every((id) => inspected.has(id));
  return same ? maxAgeMs : 0;
}

type InspectOptions = { signal?: AbortSignal; maxAgeMs?: number; lockIds?: readonly string[] };

/**
 * A repository's locks, each with its verdict. Concurrent callers share one inspection, and one
 * made within LOCKS_FRESH_MS (or `maxAgeMs`) of the same lock files is served as it is. `signal`
 * ends this caller's wait only.
 */
export function inspectLocks(
  datastoreId: number,
  repository: string,
  opts: InspectOptions = {},
): Promise<LockInspection> {
  const key = inspectionKey(datastoreId, repository);
  return inspections.read(key, readInspection(datastoreId, repository), {
    signal: opts.signal,
    maxAgeMs: maxAge(key, opts.lockIds, opts.maxAgeMs),
  });
}

/** inspectLocks answered within `waitMs`: fresh, the last inspection marked stale, or still reading. */
export function inspectLocksWithin(
  datastoreId: number,
  repository: string,
  waitMs: number,
  opts: InspectOptions = {},
): Promise<Answer<LockInspection>> {
  const key = inspectionKey(datastoreId, repository);
  return inspections.within(key, readInspection(datastoreId, repository), waitMs, {
    signal: opts.signal,
    maxAgeMs: maxAge(key, opts.lockIds, opts.maxAgeMs),
  });
}

export type UnlockOutcome = { removed: LockView[]; remaining: LockView[] };

async function after(before: LockInspection): Promise<UnlockOutcome> {
  // restic does not say what it removed (and exits 0 even when it removed nothing): count again,
  // with a whole new inspection shared with the page, so the refresh that follows the answer shows
  // it at once (not "still reading" in place of the panel that holds the answer).
  const now = await inspectLocks(before.datastoreId, before.repository, { maxAgeMs: 0 });
  const left = new Set(now.locks.map((l) => l.id));
  return {
    removed: before.locks.filter((l) => !left.has(l.id)),
    remaining: before.locks.filter((l) => left.has(l.id)),
  };
}

/** `restic unlock`: removes only the locks restic can prove stale. Always safe. */
export async function removeStaleLocks(datastoreId: number, repository: string): Promise<UnlockOutcome> {
  const access = await datastoreAccess(datastoreId);
  const repo = access.repo(repository);
  const before = await inspectRepo(datastoreId, repository, repo);
  try {
    await unlock(repo);
  } finally {
    inspections.forget(inspectionKey(datastoreId, repository));
  }
  return after(before);
}

/**
 * `restic unlock --remove-all`: every lock goes, a live one too. Refused while a backup of the
 * repository runs or a lock is possibly active, unless `override` (the second confirmation).
 */
export async function removeAllLocks(
  datastoreId: number,
  repository: string,
  opts: { override: boolean },
): Promise<UnlockOutcome & { overridden: string[] }> {
  const access = await datastoreAccess(datastoreId);
  const repo = access.repo(repository);
  const before = await inspectRepo(datastoreId, repository, repo);
  if (before.removeAllBlockers.length > 0 && !opts.override) {
    throw new MaintenanceRefused(
      `Refused: something may still be using repository ${repository}. ${before.removeAllBlockers.join(' ')} Removing a live lock lets two restic processes change the repository at once. If you are sure nothing runs, confirm a second time.`,
    );
  }
  try {
    await unlock(repo, { removeAll: true });
  } finally {
    inspections.forget(inspectionKey(datastoreId, repository));
  }
  return { ...(await after(before)), overridden: opts.override ? before.removeAllBlockers : [] };
}

export type DatastoreLocks = {
  /** Every locked repository whose locks are known (fresh or stale), inspected. */
  inspections: LockInspection[];
  /** Locked repositories whose locks are still being read. */
  reading: string[];
  /** The oldest state among the listing and the inspections shown. */
  freshness: Freshness;
};

/**
 * Every locked repository of a datastore (lock files seen in one listing), each inspected. With
 * `answerWithinMs`, what the backup server has not answered by then is stale or still reading.
 */
export async function datastoreLocks(
  datastoreId: number,
  opts: { answerWithinMs?: number; signal?: AbortSignal } = {},
): Promise<DatastoreLocks> {
  const started = Date.now();
  const left = () =>
    opts.answerWithinMs === undefined ? undefined : Math.max(0, started + opts.answerWithinMs - Date.now());
  const access = await datastoreAccess(datastoreId);
  const inv = await sharedInventory(access, undefined, left(), opts.signal);
  if (!inv.value) return { inspections: [], reading: [], freshness: inv.freshness };
  const locked = inv.value.repositories.filter((r) => r.locks.length > 0);
  const answers = await Promise.all(
    locked.map(async (r): Promise<Answer<LockInspection>> => {
      const waitMs = left();
      const o = { signal: opts.signal, lockIds: r.locks.map((l) => l.id) };
      if (waitMs !== undefined) return inspectLocksWithin(datastoreId, r.name, waitMs, o);
      const value = await inspectLocks(datastoreId, r.name, o);
      return { value, freshness: { state: 'fresh', readAt: value.inspectedAt } };
    }),
  );
  const states = [inv.freshness, ...answers.filter((a) => a.value).map((a) => a.freshness)];
  const oldest = states
    .filter((f) => f.state === 'stale')
    .sort((a, b) => (a.state === 'stale' && b.state === 'stale' ? a.readAt - b.readAt : 0))[0];
  return {
    inspections: answers.flatMap((a) => (a.value ? [a.value] : [])),
    reading: locked.filter((_, i) => !answers[i]?.value).map((r) => r.name),
    freshness: oldest ?? inv.freshness,
  };
}
