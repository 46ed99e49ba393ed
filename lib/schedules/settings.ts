import 'server-only';
import { getDb, type Db } from '@/lib/store';
import type { ScheduleKind } from '@/lib/schemas/schedules';
import { DEFAULT_SCHEDULES, type ScheduleSettings } from './defaults';

// A datastore's schedules as stored by Backstone (OpenNebula has no such thing): a row per kind an
// admin set, the defaults for the others. The verify rotation (the next n) lives in the same row.

export type StoredSchedule = ScheduleSettings & {
  isDefault: boolean;
  setAt?: number;
  setBy?: string;
  /** Verify: the n the next run reads (1..N). */
  nextSubset?: number;
};

type Row = {
  datastore_id: number;
  kind: ScheduleKind;
  enabled: number;
  interval_seconds: number;
  verify_subsets: number | null;
  verify_next_subset: number | null;
  stale_after_seconds: number | null;
  auto_unlock: number;
  updated_at: number;
  updated_by: string;
};

/** The by-line of a row the rotation created, not an admin: it still counts as the default. */
const ROTATION = '';

function fromRow(r: Row): StoredSchedule {
  const d = DEFAULT_SCHEDULES[r.kind];
  const isDefault = r.updated_by === ROTATION;
  // A row only the rotation wrote keeps the defaults' settings (as they are in this release).
  if (isDefault)
    return { ...fallback(r.kind), ...(r.kind === 'verify' ? { nextSubset: r.verify_next_subset ?? 1 } : {}) };
  return {
    kind: r.kind,
    enabled: r.enabled === 1,
    intervalSeconds: r.interval_seconds,
    ...(r.kind === 'verify' ? { subsets: r.verify_subsets ?? d.subsets, nextSubset: r.verify_next_subset ?? 1 } : {}),
    ...(r.kind === 'lock-watch'
      ? { staleAfterSeconds: r.stale_after_seconds ?? d.staleAfterSeconds, autoUnlock: r.auto_unlock === 1 }
      : {}),
    isDefault: false,
    setAt: r.updated_at,
    setBy: r.updated_by,
  };
}

function fallback(kind: ScheduleKind): StoredSchedule {
  return { ...DEFAULT_SCHEDULES[kind], isDefault: true, ...(kind === 'verify' ? { nextSubset: 1 } : {}) };
}

export function schedule(datastoreId: number, kind: ScheduleKind, db: Db = getDb()): StoredSchedule {
  const r = db
    .prepare<[number, string], Row>('SELECT * FROM datastore_schedules WHERE datastore_id = ? AND kind = ?')
    .get(datastoreId, kind);
  return r ? fromRow(r) : fallback(kind);
}

/**
 * How long a lock must have been judged stale before it counts (the datastore's lock-watch setting):
 * the one threshold behind the lock watch's raise and auto-removal, the panel and the alert.
 */
export function lockStaleThresholdMs(datastoreId: number, db: Db = getDb()): number {
  return (schedule(datastoreId, 'lock-watch', db).staleAfterSeconds ?? 0) * 1000;
}

export function schedules(datastoreId: number, db: Db = getDb()): StoredSchedule[] {
  const rows = db.prepare<[number], Row>('SELECT * FROM datastore_schedules WHERE datastore_id = ?').all(datastoreId);
  const byKind = new Map(rows.map((r) => [r.kind, fromRow(r)]));
  return (Object.keys(DEFAULT_SCHEDULES) as ScheduleKind[]).map((k) => byKind.get(k) ?? fallback(k));
}

function write(datastoreId: number, s: StoredSchedule, at: number, by: string, db: Db): void {
  db.prepare(
    `INSERT INTO datastore_schedules (datastore_id, kind, enabled, interval_seconds, verify_subsets, verify_next_subset,
       stale_after_seconds, auto_unlock, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (datastore_id, kind) DO UPDATE SET enabled = excluded.enabled, interval_seconds = excluded.interval_seconds,
       verify_subsets = excluded.verify_subsets, verify_next_subset = excluded.verify_next_subset,
       stale_after_seconds = excluded.stale_after_seconds, auto_unlock = excluded.auto_unlock,
       updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
  ).run(
    datastoreId,
    s.kind,
    s.enabled ? 1 : 0,
    s.intervalSeconds,
    s.subsets ?? null,
    s.nextSubset ?? null,
    s.staleAfterSeconds ?? null,
    s.autoUnlock ? 1 : 0,
    at,
    by,
  );
}

/** An admin's change. A smaller N than the next n starts the rotation over. */
export function setSchedule(
  datastoreId: number,
  s: ScheduleSettings,
  by: string,
  now = Date.now(),
  db: Db = getDb(),
): StoredSchedule {
  const before = schedule(datastoreId, s.kind, db);
  const next =
    s.kind === 'verify' ? ((before.nextSubset ?? 1) > (s.subsets ?? 1) ? 1 : (before.nextSubset ?? 1)) : undefined;
  write(datastoreId, { ...s, isDefault: false, nextSubset: next }, now, by.slice(0, 200) || 'unknown', db);
  return schedule(datastoreId, s.kind, db);
}

/**
 * Takes the subset a verify run reads and moves the rotation on: 1, 2, …, N, then 1 again. A
 * default keeps being a default (its row says so), so later changes of the defaults still apply.
 */
export function takeVerifySubset(datastoreId: number, db: Db = getDb()): { n: number; of: number } {
  return db.transaction(() => {
    const s = schedule(datastoreId, 'verify', db);
    const of = s.subsets ?? DEFAULT_SCHEDULES.verify.subsets ?? 1;
    const n = Math.min(Math.max(1, s.nextSubset ?? 1), of);
    const row = db
      .prepare<[number], { updated_at: number; updated_by: string }>(
        "SELECT updated_at, updated_by FROM datastore_schedules WHERE datastore_id = ? AND kind = 'verify'",
      )
      .get(datastoreId);
    write(
      datastoreId,
      { ...s, nextSubset: (n % of) + 1 },
      row?.updated_at ?? Date.now(),
      row?.updated_by ?? ROTATION,
      db,
    );
    return { n, of };
  })();
}
