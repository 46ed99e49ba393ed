import 'server-only';
import { ExpectedError } from '@/lib/errors/expected-error';
import { visibleJob, type JobStatus } from '@/lib/jobs';
import { getDb, type Db } from '@/lib/store';
import type { RunOutcome, ScheduleKind, ScheduleRunView } from '@/lib/schemas/schedules';

// The runs of a datastore's schedules (and of "Verify all" / "Prune all"): when each started and
// ended, how, and the job that did the work. A run is open until its job ends; at most one run of
// a schedule is open at a time (startRun refuses a second in the same transaction).

type Row = {
  id: number;
  datastore_id: number;
  kind: ScheduleKind;
  trigger: 'schedule' | 'manual';
  actor: string;
  started_at: number;
  ended_at: number | null;
  outcome: RunOutcome | null;
  job_id: number | null;
  message: string;
};

export type Run = ScheduleRunView & { id: number; datastoreId: number; kind: ScheduleKind; actor: string };

function toRun(r: Row): Run {
  return {
    id: r.id,
    datastoreId: r.datastore_id,
    kind: r.kind,
    trigger: r.trigger,
    actor: r.actor,
    startedAt: r.started_at,
    ...(r.ended_at === null ? {} : { endedAt: r.ended_at }),
    ...(r.outcome === null ? {} : { outcome: r.outcome }),
    ...(r.job_id === null ? {} : { jobId: r.job_id }),
    message: r.message,
  };
}

/** A run of this schedule has not ended yet: refused, never a second run at once. */
export class RunInProgress extends ExpectedError {
  override name = 'RunInProgress';
  readonly kind = 'conflict';
}

/** Opens a run, or throws RunInProgress when one of the same schedule is open. */
export function startRun(
  datastoreId: number,
  kind: ScheduleKind,
  trigger: 'schedule' | 'manual',
  actor: string,
  now = Date.now(),
  db: Db = getDb(),
): number {
  return db.transaction(() => {
    settleOpenRuns(datastoreId, kind, db);
    const open = openRun(datastoreId, kind, db);
    if (open)
      throw new RunInProgress(
        `Refused: a ${kind} run of datastore ${datastoreId} is still going on${open.jobId === undefined ? '' : ` (job ${open.jobId})`}. Wait for it to end.`,
      );
    return Number(
      db
        .prepare('INSERT INTO schedule_runs (datastore_id, kind, trigger, actor, started_at) VALUES (?, ?, ?, ?, ?)')
        .run(datastoreId, kind, trigger, actor.slice(0, 200), now).lastInsertRowid,
    );
  })();
}

export function attachJob(runId: number, jobId: number, db: Db = getDb()): void {
  db.prepare('UPDATE schedule_runs SET job_id = ? WHERE id = ?').run(jobId, runId);
}

/** Ends a run (once: a later word on an ended run is ignored). */
export function endRun(runId: number, outcome: RunOutcome, message: string, now = Date.now(), db: Db = getDb()): void {
  db.prepare('UPDATE schedule_runs SET ended_at = ?, outcome = ?, message = ? WHERE id = ? AND ended_at IS NULL').run(
    now,
    outcome,
    message.slice(0, 2000),
    runId,
  );
}

export function openRun(datastoreId: number, kind: ScheduleKind, db: Db = getDb()): Run | undefined {
  const r = db
    .prepare<[number, string], Row>(
      'SELECT * FROM schedule_runs WHERE datastore_id = ? AND kind = ? AND ended_at IS NULL ORDER BY id DESC LIMIT 1',
    )
    .get(datastoreId, kind);
  return r ? toRun(r) : undefined;
}

export function lastRun(datastoreId: number, kind: ScheduleKind, db: Db = getDb()): Run | undefined {
  const r = db
    .prepare<[number, string], Row>(
      'SELECT * FROM schedule_runs WHERE datastore_id = ? AND kind = ? ORDER BY started_at DESC, id DESC LIMIT 1',
    )
    .get(datastoreId, kind);
  return r ? toRun(r) : undefined;
}

export function recentRuns(datastoreId: number, kind: ScheduleKind, limit = 20, db: Db = getDb()): Run[] {
  return db
    .prepare<[number, string, number], Row>(
      'SELECT * FROM schedule_runs WHERE datastore_id = ? AND kind = ? ORDER BY started_at DESC, id DESC LIMIT ?',
    )
    .all(datastoreId, kind, limit)
    .map(toRun);
}

const OUTCOME_OF: Readonly<Record<JobStatus, RunOutcome | undefined>> = {
  queued: undefined,
  running: undefined,
  succeeded: 'ok',
  failed: 'failed',
  canceled: 'canceled',
  interrupted: 'interrupted',
};

/**
 * Ends the open runs whose job ended without ending them (canceled before it started, failed,
 * interrupted by a restart), with the job's outcome and message. A run without a job that is left
 * from an earlier process (it died between opening the run and queuing the job) is interrupted.
 */
export function settleOpenRuns(datastoreId?: number, kind?: ScheduleKind, db: Db = getDb()): void {
  const rows = db
    .prepare<[], Row>('SELECT * FROM schedule_runs WHERE ended_at IS NULL')
    .all()
    .filter(
      (r) => (datastoreId === undefined || r.datastore_id === datastoreId) && (kind === undefined || r.kind === kind),
    );
  for (const r of rows) {
    if (r.job_id === null) {
      if (Date.now() - r.started_at > 10 * 60_000)
        endRun(r.id, 'interrupted', 'Backstone stopped before its job was queued.', Date.now(), db);
      continue;
    }
    const job = visibleJob({ username: '', isAdmin: true }, r.job_id);
    const outcome = job ? OUTCOME_OF[job.status] : 'interrupted';
    if (outcome) endRun(r.id, outcome, job?.message ?? 'Its job is gone.', job?.finishedAt ?? Date.now(), db);
  }
}
