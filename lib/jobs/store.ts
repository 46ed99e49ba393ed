import 'server-only';
import { redact } from '@/lib/log/redact';
import { getDb, type Db } from '@/lib/store';

// Jobs as rows: what runs, for whom, how far it got, its log (redacted), and how it ended.

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'canceled' | 'interrupted';
export const FINISHED: readonly JobStatus[] = ['succeeded', 'failed', 'canceled', 'interrupted'];

export type Job = {
  id: number;
  kind: string;
  title: string;
  actor: string;
  serverKey: string;
  params: Record<string, unknown>;
  status: JobStatus;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  percent?: number;
  bytesDone?: number;
  bytesTotal?: number;
  etaSeconds?: number;
  message: string;
  result?: Record<string, unknown>;
  /** Cancel was asked and the job is still undoing what it did (known to this process only). */
  canceling?: boolean;
};

type Row = {
  id: number;
  kind: string;
  title: string;
  actor: string;
  server_key: string;
  params: string;
  status: JobStatus;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  percent: number | null;
  bytes_done: number | null;
  bytes_total: number | null;
  eta_seconds: number | null;
  message: string;
  result: string | null;
};

const MAX_LOG_LINES = 5_000;

function toJob(r: Row): Job {
  return {
    id: r.id,
    kind: r.kind,
    title: r.title,
    actor: r.actor,
    serverKey: r.server_key,
    params: JSON.parse(r.params) as Record<string, unknown>,
    status: r.status,
    createdAt: r.created_at,
    startedAt: r.started_at ?? undefined,
    finishedAt: r.finished_at ?? undefined,
    percent: r.percent ?? undefined,
    bytesDone: r.bytes_done ?? undefined,
    bytesTotal: r.bytes_total ?? undefined,
    etaSeconds: r.eta_seconds ?? undefined,
    message: r.message,
    result: r.result ? (JSON.parse(r.result) as Record<string, unknown>) : undefined,
  };
}

export function insertJob(
  j: { kind: string; title: string; actor: string; serverKey: string; params: Record<string, unknown>; runner: string },
  db: Db = getDb(),
): number {
  const r = db
    .prepare(
      "INSERT INTO jobs (kind, title, actor, server_key, params, status, runner, created_at) VALUES (?, ?, ?, ?, ?, 'queued', ?, ?)",
    )
    .run(j.kind, j.title, j.actor, j.serverKey, JSON.stringify(j.params), j.runner, Date.now());
  return Number(r.lastInsertRowid);
}

export function getJob(id: number, db: Db = getDb()): Job | undefined {
  const r = db.prepare<[number], Row>('SELECT * FROM jobs WHERE id = ?').get(id);
  return r ? toJob(r) : undefined;
}

export function listJobs(opts: { actor?: string; limit?: number } = {}, db: Db = getDb()): Job[] {
  const limit = Math.min(Math.max(opts.limit ?? 200, 1), 1_000);
  const rows = opts.actor
    ? db
        .prepare<[string, number], Row>('SELECT * FROM jobs WHERE actor = ? ORDER BY id DESC LIMIT ?')
        .all(opts.actor, limit)
    : db.prepare<[number], Row>('SELECT * FROM jobs ORDER BY id DESC LIMIT ?').all(limit);
  return rows.map(toJob);
}

export function countActive(actor: string | undefined, db: Db = getDb()): number {
  const sql = "SELECT COUNT(*) AS n FROM jobs WHERE status IN ('queued', 'running')";
  const r = actor
    ? db.prepare<[string], { n: number }>(`${sql} AND actor = ?`).get(actor)
    : db.prepare<[], { n: number }>(sql).get();
  return r?.n ?? 0;
}

/** How many stored jobs there are of each kind and status (all actors), for /metrics. */
export function countByKindAndStatus(db: Db = getDb()): { kind: string; status: JobStatus; count: number }[] {
  return db
    .prepare<[], { kind: string; status: JobStatus; n: number }>(
      'SELECT kind, status, COUNT(*) AS n FROM jobs GROUP BY kind, status ORDER BY kind, status',
    )
    .all()
    .map((r) => ({ kind: r.kind, status: r.status, count: r.n }));
}

export function markRunning(id: number, db: Db = getDb()): void {
  db.prepare("UPDATE jobs SET status = 'running', started_at = ? WHERE id = ? AND status = 'queued'").run(
    Date.now(),
    id,
  );
}

export function finish(
  id: number,
  status: Exclude<JobStatus, 'queued' | 'running'>,
  message: string,
  result?: Record<string, unknown>,
  db: Db = getDb(),
): void {
  db.prepare(
    "UPDATE jobs SET status = ?, finished_at = ?, message = ?, result = ? WHERE id = ? AND status IN ('queued', 'running')",
  ).run(status, Date.now(), redact(message).slice(0, 4_000), result ? JSON.stringify(result) : null, id);
}

export type Progress = {
  percent?: number;
  bytesDone?: number;
  bytesTotal?: number;
  etaSeconds?: number;
  message?: string;
};

export function saveProgress(id: number, p: Progress, db: Db = getDb()): void {
  db.prepare(
    'UPDATE jobs SET percent = COALESCE(?, percent), bytes_done = COALESCE(?, bytes_done), bytes_total = COALESCE(?, bytes_total), eta_seconds = ?, message = COALESCE(?, message) WHERE id = ?',
  ).run(
    p.percent ?? null,
    p.bytesDone ?? null,
    p.bytesTotal ?? null,
    p.etaSeconds ?? null,
    p.message ? redact(p.message) : null,
    id,
  );
}

export function appendLog(id: number, line: string, db: Db = getDb()): void {
  const next =
    db.prepare<[number], { n: number | null }>('SELECT MAX(seq) AS n FROM job_log WHERE job_id = ?').get(id)?.n ?? -1;
  if (next + 1 >= MAX_LOG_LINES) return;
  db.prepare('INSERT INTO job_log (job_id, seq, at, line) VALUES (?, ?, ?, ?)').run(
    id,
    next + 1,
    Date.now(),
    redact(line).slice(0, 2_000),
  );
}

export function jobLog(id: number, afterSeq = -1, db: Db = getDb()): { seq: number; at: number; line: string }[] {
  return db
    .prepare<[number, number], { seq: number; at: number; line: string }>(
      'SELECT seq, at, line FROM job_log WHERE job_id = ? AND seq > ? ORDER BY seq LIMIT 2000',
    )
    .all(id, afterSeq);
}

/** At stop: the jobs this process still has queued or running end as interrupted, now. */
export function markStopped(runner: string, db: Db = getDb()): number {
  const r = db
    .prepare(
      "UPDATE jobs SET status = 'interrupted', finished_at = ?, message = 'Backstone stopped while this job was ' || status || '; nothing more was done. Start it again if it is still needed.' WHERE status IN ('queued', 'running') AND runner = ?",
    )
    .run(Date.now(), runner);
  return r.changes;
}

/** Jobs another process left queued or running: they were stopped with it. */
export function markInterrupted(currentRunner: string, db: Db = getDb()): number {
  const r = db
    .prepare(
      "UPDATE jobs SET status = 'interrupted', finished_at = ?, message = 'Backstone stopped while this job was ' || status || '; nothing more was done. Start it again if it is still needed.' WHERE status IN ('queued', 'running') AND runner != ?",
    )
    .run(Date.now(), currentRunner);
  return r.changes;
}
