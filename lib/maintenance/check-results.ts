import 'server-only';
import { redact } from '@/lib/log/redact';
import { getDb, type Db } from '@/lib/store';
import type { CheckRecord } from '@/lib/schemas/maintenance';

// The outcome of every `restic check`, kept per repository: "verified 3 days ago", or the errors.

type Row = {
  at: number;
  ok: number;
  read_data_percent: number | null;
  read_data_subset: string | null;
  errors: string;
  job_id: number | null;
  actor: string;
};

function toRecord(r: Row): CheckRecord {
  let errors: string[] = [];
  try {
    const parsed = JSON.parse(r.errors) as unknown;
    if (Array.isArray(parsed)) errors = parsed.filter((e): e is string => typeof e === 'string');
  } catch {
    /* an unreadable row keeps no errors */
  }
  return {
    at: r.at,
    ok: r.ok === 1,
    readDataPercent: r.read_data_percent ?? undefined,
    ...(r.read_data_subset ? { readDataSubset: r.read_data_subset } : {}),
    errors,
    jobId: r.job_id ?? undefined,
    actor: r.actor,
  };
}

export function recordCheck(
  datastoreId: number,
  repository: string,
  c: {
    ok: boolean;
    errors: string[];
    readDataPercent?: number;
    readDataSubset?: { n: number; of: number };
    jobId?: number;
    actor: string;
    at?: number;
  },
  db: Db = getDb(),
): void {
  db.prepare(
    'INSERT INTO check_results (datastore_id, repository, at, ok, read_data_percent, read_data_subset, errors, job_id, actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  ).run(
    datastoreId,
    repository,
    c.at ?? Date.now(),
    c.ok ? 1 : 0,
    c.readDataPercent ?? null,
    c.readDataSubset ? `${c.readDataSubset.n}/${c.readDataSubset.of}` : null,
    JSON.stringify(c.errors.slice(0, 50).map((e) => redact(e).slice(0, 1000))),
    c.jobId ?? null,
    c.actor.slice(0, 200),
  );
}

/** The newest check of a repository, if any. */
export function lastCheck(datastoreId: number, repository: string, db: Db = getDb()): CheckRecord | undefined {
  const r = db
    .prepare<[number, string], Row>(
      'SELECT at, ok, read_data_percent, read_data_subset, errors, job_id, actor FROM check_results WHERE datastore_id = ? AND repository = ? ORDER BY at DESC, id DESC LIMIT 1',
    )
    .get(datastoreId, repository);
  return r ? toRecord(r) : undefined;
}

/** The newest check of every repository of a datastore. */
export function lastChecks(datastoreId: number, db: Db = getDb()): Map<string, CheckRecord> {
  const rows = db
    .prepare<[number], Row & { repository: string }>(
      `SELECT repository, at, ok, read_data_percent, read_data_subset, errors, job_id, actor FROM check_results c
        WHERE datastore_id = ? AND id = (SELECT id FROM check_results d WHERE d.datastore_id = c.datastore_id
          AND d.repository = c.repository ORDER BY at DESC, id DESC LIMIT 1)`,
    )
    .all(datastoreId);
  return new Map(rows.map((r) => [r.repository, toRecord(r)]));
}
