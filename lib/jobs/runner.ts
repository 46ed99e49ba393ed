import 'server-only';
import { randomBytes } from 'node:crypto';
import { getConfig } from '@/lib/config';
import { processWide } from '@/lib/config/process-wide';
import { ExpectedError, isExpectedError } from '@/lib/errors/expected-error';
import { logger } from '@/lib/log';
import {
  appendLog,
  finish,
  getJob,
  insertJob,
  markInterrupted,
  markRunning,
  markStopped,
  saveProgress,
  type Progress,
} from './store';

// Runs jobs in this process: a queue with at most `jobsPerServer` running per backup server,
// progress saved at most once a second, cancel through an AbortSignal. Jobs left by a previous
// process are marked interrupted the first time this process touches the queue.

const log = logger('jobs');

export type JobContext = {
  id: number;
  signal: AbortSignal;
  progress: (p: Progress) => void;
  log: (line: string) => void;
};

export type JobResult = { message: string; result?: Record<string, unknown> };

/** A job's expected failure, in words for its page (the runner does not log it as a bug). */
export class JobFailed extends ExpectedError {
  override name = 'JobFailed';
  readonly kind = 'failed';
}

/**
 * How a canceled job ended, in its own words: what it removed and what is left (with the command
 * that removes it). A job that created something throws this after undoing it. Internal, not an
 * ExpectedError: the runner's signal that a job ended by cancel (the job shows "canceled"), never
 * an answer to a request.
 */
export class JobCanceled extends Error {
  override name = 'JobCanceled';
  constructor(
    message: string,
    readonly result?: Record<string, unknown>,
  ) {
    super(message);
  }
}

/** For jobs that create nothing: restic's own cancel leaves the repository as it was. */
const CANCELED = 'Canceled; the job was stopped before it ended.';

type Pending = { id: number; serverKey: string; run: (ctx: JobContext) => Promise<JobResult> };

type Runtime = {
  runner: string;
  recovered: boolean;
  queue: Pending[];
  running: Map<number, { serverKey: string; controller: AbortController }>;
};

const runtime = processWide<Runtime>('jobs.runtime', () => ({
  runner: randomBytes(8).toString('hex'),
  recovered: false,
  queue: [],
  running: new Map(),
}));

function recover(): void {
  if (runtime.recovered) return;
  runtime.recovered = true;
  const n = markInterrupted(runtime.runner);
  if (n > 0) log.warn('jobs interrupted by a restart', { count: n });
}

/** How many jobs this process runs or queues (server.js waits for them when it is stopped). */
export function jobsInProgress(): number {
  return runtime.running.size + runtime.queue.length;
}

/**
 * When the process stops with jobs still in progress: they are marked interrupted now, with a
 * message saying so, rather than left "running" until Backstone starts again.
 */
export function interruptJobsAtStop(): number {
  if (jobsInProgress() === 0) return 0;
  const n = markStopped(runtime.runner);
  if (n > 0) log.warn('jobs interrupted by a stop', { count: n });
  return n;
}

function runningOn(serverKey: string): number {
  let n = 0;
  for (const r of runtime.running.values()) if (r.serverKey === serverKey) n++;
  return n;
}

function pump(): void {
  const limit = getConfig().jobsPerServer;
  for (const p of [...runtime.queue]) {
    if (runningOn(p.serverKey) >= limit) continue;
    runtime.queue.splice(runtime.queue.indexOf(p), 1);
    void start(p);
  }
}

async function start(p: Pending): Promise<void> {
  const controller = new AbortController();
  runtime.running.set(p.id, { serverKey: p.serverKey, controller });
  markRunning(p.id);
  // Progress is saved at most once a second; what is held back is saved by a timer, so the last
  // word before a long wait (a cleanup after cancel) is never left unsaved.
  let last = 0;
  let pending: Progress | undefined;
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (pending) saveProgress(p.id, pending);
    pending = undefined;
    last = Date.now();
  };
  const ctx: JobContext = {
    id: p.id,
    signal: controller.signal,
    progress: (pr) => {
      pending = { ...pending, ...pr };
      const wait = 1_000 - (Date.now() - last);
      if (wait <= 0) flush();
      else timer ??= setTimeout(flush, wait);
    },
    log: (line) => appendLog(p.id, line),
  };
  try {
    const r = await p.run(ctx);
    flush();
    finish(p.id, 'succeeded', r.message, r.result);
  } catch (err) {
    flush();
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof JobCanceled) {
      ctx.log(err.message);
      finish(p.id, 'canceled', err.message, err.result);
    } else if (controller.signal.aborted) {
      ctx.log('Canceled.');
      finish(p.id, 'canceled', CANCELED);
    } else {
      ctx.log(`Failed: ${message}`);
      finish(p.id, 'failed', message);
      if (!isExpectedError(err)) log.error('job failed', { id: p.id, error: message });
    }
  } finally {
    runtime.running.delete(p.id);
    pump();
  }
}

export type Submission = {
  kind: string;
  title: string;
  actor: string;
  /** Jobs on one backup server share its limit: serverKey() of it (lib/exec). */
  serverKey: string;
  /** Stored with the job: never a secret. */
  params: Record<string, unknown>;
  run: (ctx: JobContext) => Promise<JobResult>;
};

export function submitJob(s: Submission): number {
  recover();
  const id = insertJob({
    kind: s.kind,
    title: s.title,
    actor: s.actor,
    serverKey: s.serverKey,
    params: s.params,
    runner: runtime.runner,
  });
  appendLog(id, `Queued by ${s.actor}.`);
  runtime.queue.push({ id, serverKey: s.serverKey, run: s.run });
  pump();
  return id;
}

/** Cancels a queued or running job; returns false when it had already ended. */
export function cancelJob(id: number): boolean {
  recover();
  const queued = runtime.queue.findIndex((q) => q.id === id);
  if (queued !== -1) {
    runtime.queue.splice(queued, 1);
    appendLog(id, 'Canceled before it started.');
    finish(id, 'canceled', 'Canceled before it started.');
    return true;
  }
  const running = runtime.running.get(id);
  if (running) {
    appendLog(id, 'Cancel requested.');
    running.controller.abort();
    return true;
  }
  return false;
}

/** Whether a cancel was asked of this running job, which is still undoing what it did. */
export function isCanceling(id: number): boolean {
  return runtime.running.get(id)?.controller.signal.aborted ?? false;
}

/** Called by readers so a restart's leftovers are marked before anyone looks at them. */
export function ensureRecovered(): void {
  recover();
}

export function jobExists(id: number): boolean {
  return getJob(id) !== undefined;
}
