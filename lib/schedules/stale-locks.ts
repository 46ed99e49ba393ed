import 'server-only';
import { getDb, type Db } from '@/lib/store';
import type { LockView } from '@/lib/schemas/maintenance';

// The locks the lock watch judged stale, with when it first saw each one stale. A lock that is gone
// (removed, or refreshed into a new lock file) or no longer stale leaves this list.

export type StaleLock = {
  datastoreId: number;
  repository: string;
  lockId: string;
  hostname: string;
  pid: number;
  /** The lock's own time (restic writes it when it takes or refreshes the lock). */
  lockTime: string;
  exclusive: boolean;
  /** When the lock watch first judged it stale. */
  firstSeenAt: number;
  /** When the lock watch last saw it (still stale). */
  lastSeenAt: number;
};

type Row = {
  datastore_id: number;
  repository: string;
  lock_id: string;
  hostname: string;
  pid: number;
  lock_time: string;
  exclusive: number;
  first_seen_at: number;
  last_seen_at: number;
};

const toLock = (r: Row): StaleLock => ({
  datastoreId: r.datastore_id,
  repository: r.repository,
  lockId: r.lock_id,
  hostname: r.hostname,
  pid: r.pid,
  lockTime: r.lock_time,
  exclusive: r.exclusive === 1,
  firstSeenAt: r.first_seen_at,
  lastSeenAt: r.last_seen_at,
});

/**
 * What one watch of a repository saw: its stale locks are kept (first-seen times unchanged), every
 * other lock of the repository this list held is dropped. Returns the repository's stale locks.
 */
export function noteRepositoryLocks(
  datastoreId: number,
  repository: string,
  stale: readonly LockView[],
  now = Date.now(),
  db: Db = getDb(),
): StaleLock[] {
  return db.transaction(() => {
    const keep = new Set(stale.map((l) => l.id));
    for (const r of repositoryRows(datastoreId, repository, db))
      if (!keep.has(r.lock_id))
        db.prepare('DELETE FROM stale_locks WHERE datastore_id = ? AND repository = ? AND lock_id = ?').run(
          datastoreId,
          repository,
          r.lock_id,
        );
    for (const l of stale)
      db.prepare(
        `INSERT INTO stale_locks (datastore_id, repository, lock_id, hostname, pid, lock_time, exclusive, first_seen_at, last_seen_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (datastore_id, repository, lock_id) DO UPDATE SET last_seen_at = excluded.last_seen_at`,
      ).run(datastoreId, repository, l.id, l.hostname.slice(0, 255), l.pid, l.time, l.exclusive ? 1 : 0, now, now);
    return repositoryRows(datastoreId, repository, db).map(toLock);
  })();
}

/** Drops what the list holds of repositories that no longer have lock files (or no longer exist). */
export function forgetRepositoriesExcept(datastoreId: number, locked: readonly string[], db: Db = getDb()): void {
  const keep = new Set(locked);
  const rows = db
    .prepare<[number], { repository: string }>('SELECT DISTINCT repository FROM stale_locks WHERE datastore_id = ?')
    .all(datastoreId);
  for (const r of rows)
    if (!keep.has(r.repository))
      db.prepare('DELETE FROM stale_locks WHERE datastore_id = ? AND repository = ?').run(datastoreId, r.repository);
}

function repositoryRows(datastoreId: number, repository: string, db: Db): Row[] {
  return db
    .prepare<[number, string], Row>('SELECT * FROM stale_locks WHERE datastore_id = ? AND repository = ?')
    .all(datastoreId, repository);
}

/** Every stale lock the lock watch knows of in a datastore, oldest first-seen first. */
export function staleLocksOf(datastoreId: number, db: Db = getDb()): StaleLock[] {
  return db
    .prepare<[number], Row>(
      'SELECT * FROM stale_locks WHERE datastore_id = ? ORDER BY first_seen_at, repository, lock_id',
    )
    .all(datastoreId)
    .map(toLock);
}
