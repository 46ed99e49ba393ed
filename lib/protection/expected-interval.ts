import 'server-only';
import { getDb, type Db } from '@/lib/store';
import { DEFAULT_EXPECTED_INTERVAL_SECONDS } from './status';

// How often a backup datastore's VMs are expected to be backed up when no schedule says so: stored
// by Backstone (OpenNebula has no such attribute), set by admins on the datastore page.

export type ExpectedInterval = { seconds: number; isDefault: boolean; updatedAt?: number; updatedBy?: string };

type Row = { datastore_id: number; interval_seconds: number; updated_at: number; updated_by: string };

export function expectedInterval(datastoreId: number, db: Db = getDb()): ExpectedInterval {
  const row = db
    .prepare<[number], Row>('SELECT * FROM datastore_expected_intervals WHERE datastore_id = ?')
    .get(datastoreId);
  return row
    ? { seconds: row.interval_seconds, isDefault: false, updatedAt: row.updated_at, updatedBy: row.updated_by }
    : { seconds: DEFAULT_EXPECTED_INTERVAL_SECONDS, isDefault: true };
}

/** Every datastore's interval that differs from the default, in one query (the VMs list needs all). */
export function expectedIntervals(db: Db = getDb()): Map<number, number> {
  const rows = db.prepare<[], Row>('SELECT * FROM datastore_expected_intervals').all();
  return new Map(rows.map((r) => [r.datastore_id, r.interval_seconds]));
}

/** Sets it (or, with the default value, forgets it so later default changes apply). */
export function setExpectedInterval(
  datastoreId: number,
  seconds: number,
  by: string,
  now = Date.now(),
  db: Db = getDb(),
): void {
  if (seconds === DEFAULT_EXPECTED_INTERVAL_SECONDS) {
    db.prepare('DELETE FROM datastore_expected_intervals WHERE datastore_id = ?').run(datastoreId);
    return;
  }
  db.prepare(
    `INSERT INTO datastore_expected_intervals (datastore_id, interval_seconds, updated_at, updated_by) VALUES (?, ?, ?, ?)
     ON CONFLICT (datastore_id) DO UPDATE SET interval_seconds = excluded.interval_seconds,
       updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
  ).run(datastoreId, seconds, now, by);
}
