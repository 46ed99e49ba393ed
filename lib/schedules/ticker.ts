import 'server-only';
import { isResticBackupDatastore } from '@/lib/catalog';
import { processWide } from '@/lib/config/process-wide';
import { logger } from '@/lib/log';
import { listDatastores } from '@/lib/opennebula';
import { SCHEDULE_KINDS, type ScheduleKind } from '@/lib/schemas/schedules';
import { submitCapacitySample } from './capacity';
import { isDue } from './due';
import { submitLockWatch } from './lock-watch';
import { submitPruneAll } from './prune';
import { lastRun, openRun, RunInProgress, settleOpenRuns } from './runs';
import { schedule } from './settings';
import { SCHEDULER_ACTOR } from './submit';
import { submitVerify } from './verify';

// The ticker: every TICK_MS it asks the gate (on an HA front-end: "is this the Raft leader?"),
// then starts every schedule of every restic backup datastore that is due. The timer is unref'd
// (it never keeps the process alive) and stopped when the server stops.

const log = logger('schedules');

export const TICK_MS = 30_000;

export type Submitter = (
  datastoreId: number,
  trigger: 'schedule' | 'manual',
  actor: string,
) => Promise<{ runId: number; jobId: number }>;

export const SUBMIT: Readonly<Record<ScheduleKind, Submitter>> = {
  verify: submitVerify,
  prune: submitPruneAll,
  'lock-watch': submitLockWatch,
  capacity: submitCapacitySample,
};

type Ticker = { gate: () => Promise<boolean>; timer?: NodeJS.Timeout; ticking: boolean };
const ticker = processWide<Ticker>('schedules.ticker', () => ({ gate: async () => true, ticking: false }));

/**
 * Who may run schedules in this process: asked before every tick, a tick runs nothing unless it
 * answers true. Default: always (a single front-end). The HA leader check is wired in here.
 */
export function setScheduleGate(fn: () => Promise<boolean>): void {
  ticker.gate = fn;
}

export type TickReport = { gated: boolean; started: { datastoreId: number; kind: ScheduleKind; jobId: number }[] };

/** One tick: every due schedule of every restic backup datastore starts a run (at most one each). */
export async function tick(now = Date.now()): Promise<TickReport> {
  if (ticker.ticking) return { gated: false, started: [] };
  ticker.ticking = true;
  try {
    let open = false;
    try {
      open = await ticker.gate();
    } catch (err) {
      log.warn('the schedule gate failed: nothing runs this tick', {
        error: err instanceof Error ? err.message : String(err),
      });
    }
    if (!open) return { gated: true, started: [] };
    settleOpenRuns();
    const datastores = (await listDatastores({ kind: 'service' })).filter(isResticBackupDatastore);
    const started: TickReport['started'] = [];
    for (const ds of datastores)
      for (const kind of SCHEDULE_KINDS) {
        const s = schedule(ds.id, kind);
        const due = isDue(
          {
            enabled: s.enabled,
            intervalMs: s.intervalSeconds * 1000,
            setAt: s.setAt,
            lastStartedAt: lastRun(ds.id, kind)?.startedAt,
            running: openRun(ds.id, kind) !== undefined,
          },
          now,
        );
        if (!due) continue;
        try {
          const { jobId } = await SUBMIT[kind](ds.id, 'schedule', SCHEDULER_ACTOR);
          started.push({ datastoreId: ds.id, kind, jobId });
        } catch (err) {
          if (err instanceof RunInProgress) continue;
          log.warn('a scheduled run did not start', {
            datastore: ds.id,
            kind,
            error: err instanceof Error ? err.message : String(err),
          });
        }
      }
    return { gated: false, started };
  } catch (err) {
    log.warn('a schedule tick failed', { error: err instanceof Error ? err.message : String(err) });
    return { gated: false, started: [] };
  } finally {
    ticker.ticking = false;
  }
}

/** Starts the ticker (once per process); its first tick comes one interval after the start. */
export function startScheduler(everyMs = TICK_MS): void {
  if (ticker.timer) return;
  ticker.timer = setInterval(() => void tick(), everyMs);
  ticker.timer.unref();
}

/** Stops the ticker: no run starts after this (runs under way end as jobs do at a stop). */
export function stopScheduler(): void {
  if (ticker.timer) clearInterval(ticker.timer);
  ticker.timer = undefined;
}
