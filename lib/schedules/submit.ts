import 'server-only';
import { accessServerKey, datastoreAccess, type DatastoreAccess } from '@/lib/catalog';
import { JobFailed, submitJob, type JobContext } from '@/lib/jobs';
import type { RunOutcome, ScheduleKind } from '@/lib/schemas/schedules';
import { attachJob, endRun, startRun } from './runs';

// A run of a schedule is a job of the runner (its log, progress, cancel and the backup server's
// job limit), opened as a run first so that no second run of the same schedule starts meanwhile.

/** What the work of a run says at its end. `skipped`: nothing was done, for the reason given. */
export type RunEnd = { outcome: 'ok' | 'skipped'; message: string; result?: Record<string, unknown> };

/** A run that found a problem (verify errors, a lock it could not remove): the job fails with it. */
export class RunFound extends JobFailed {
  override name = 'RunFound';
}

export type RunRequest = {
  datastoreId: number;
  kind: ScheduleKind;
  trigger: 'schedule' | 'manual';
  /** An admin's name for "… all", `scheduler` for the ticker. */
  actor: string;
  title: (access: DatastoreAccess) => string;
  params?: Record<string, unknown>;
  work: (ctx: JobContext, access: DatastoreAccess, runId: number) => Promise<RunEnd>;
};

export const SCHEDULER_ACTOR = 'scheduler';

const JOB_KIND: Readonly<Record<ScheduleKind, string>> = {
  verify: 'verify',
  prune: 'prune-all',
  'lock-watch': 'lock-watch',
  capacity: 'capacity-sample',
};

/** Opens the run and queues its job; returns both IDs. RunInProgress when one is still open. */
export async function submitRun(r: RunRequest): Promise<{ runId: number; jobId: number }> {
  const access = await datastoreAccess(r.datastoreId);
  const runId = startRun(r.datastoreId, r.kind, r.trigger, r.actor);
  try {
    const jobId = submitJob({
      kind: JOB_KIND[r.kind],
      title: r.title(access),
      actor: r.actor,
      serverKey: accessServerKey(access),
      params: { datastoreId: r.datastoreId, trigger: r.trigger, ...r.params },
      run: async (ctx) => {
        try {
          const end = await r.work(ctx, access, runId);
          endRun(runId, end.outcome, end.message);
          return { message: end.message, result: { datastoreId: r.datastoreId, outcome: end.outcome, ...end.result } };
        } catch (err) {
          const outcome: RunOutcome = ctx.signal.aborted ? 'canceled' : 'failed';
          endRun(runId, outcome, err instanceof Error ? err.message : String(err));
          throw err;
        }
      },
    });
    attachJob(runId, jobId);
    return { runId, jobId };
  } catch (err) {
    endRun(runId, 'failed', err instanceof Error ? err.message : String(err));
    throw err;
  }
}
