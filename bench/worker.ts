// The worker's side of the results file: runs the steps it was given (BENCH_STEPS) in order,
// writing each step's start and end and every figure the moment it is measured, printed as well.
// A step that throws is written as failed and ends the worker; the runner moves on.
import { appendRecord, figureLine, type RouteJs } from './results';
import type { Figure } from './measure';

export type Recorder = {
  figure: (...figures: Figure[]) => void;
  note: (text: string) => void;
  routes: (routes: RouteJs[]) => void;
  build: (seconds: number) => void;
  settle: (wait: { waitedMs: number; idle: number }) => void;
  machine: (restic: string) => void;
};

/** The steps and results file the runner gave this worker (every step when run on its own). */
export function workerEnv(all: readonly string[], defaultFile: string): { ids: string[]; file: string } {
  const ids = process.env.BENCH_STEPS ? process.env.BENCH_STEPS.split(',') : [...all];
  return { ids, file: process.env.BENCH_RESULTS ?? defaultFile };
}

export type Worker = {
  record: Recorder;
  /** Runs the given steps in order; rethrows a step's failure after writing it. */
  run: (ids: readonly string[], steps: Readonly<Record<string, (() => Promise<void>) | undefined>>) => Promise<void>;
};

export function benchWorker(file: string, log: (s: string) => void): Worker {
  let step = 'setup';
  const record: Recorder = {
    figure: (...figures) => {
      for (const figure of figures) {
        appendRecord(file, { type: 'figure', step, figure });
        log(figureLine(figure));
      }
    },
    note: (text) => appendRecord(file, { type: 'note', step, text }),
    routes: (routes) => appendRecord(file, { type: 'routes', routes }),
    build: (seconds) => appendRecord(file, { type: 'build', seconds }),
    settle: (w) => appendRecord(file, { type: 'settle', waitedMs: w.waitedMs, idle: w.idle }),
    machine: (restic) => appendRecord(file, { type: 'machine', restic }),
  };
  const run: Worker['run'] = async (ids, steps) => {
    for (const id of ids) {
      const fn = steps[id];
      if (!fn) throw new Error(`the worker has no step ${id}`);
      step = id;
      appendRecord(file, { type: 'step', id, event: 'start', at: new Date().toISOString() });
      try {
        await fn();
      } catch (e) {
        appendRecord(file, {
          type: 'step',
          id,
          event: 'failed',
          at: new Date().toISOString(),
          reason: failureReason(e),
        });
        throw e;
      }
      appendRecord(file, { type: 'step', id, event: 'end', at: new Date().toISOString() });
    }
  };
  return { record, run };
}

/** One line, short: what the report says a step failed with. */
export function failureReason(e: unknown): string {
  const text = e instanceof Error ? e.message : String(e);
  const line = text.split('\n').find((l) => l.trim()) ?? 'unknown error';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
