// The bench's runner: runs the steps in a worker process and holds each to its budget and the
// whole run to the overall limit. A step that runs out of its budget or fails is stopped with
// every process it started (by PID: the worker's process tree, and every session under the bench
// sandbox's sshd, remembered as they appear so a process handed to init is not lost), and the
// runner goes on with the next steps in a new worker; SIGINT, SIGTERM or the overall limit stop
// the run the same way. Whatever happened, the report is written from the results file.
import { type ChildProcess } from 'node:child_process';
import {
  closeSync,
  existsSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { isAlive, waitFor } from '../sandbox/common/process';
import { median } from './measure';
import { type Budget, formatDuration, type StepPlan } from './plan';
import { missingFigures, writeReports, type Report } from './report';
import { appendRecord, gather, parseRecords, readRecords, type BenchRecord, type Outcome } from './results';
import type { ExpectedFigure } from './steps';

export type RunnerOptions = {
  /** The steps selected, in order (plan.ts selectSteps). */
  steps: readonly StepPlan[];
  budget: Budget;
  /** Added to the budget of a worker's first step: starting the worker and its setup. */
  startupMs: number;
  resultsFile: string;
  /** Starts a worker for these steps, detached (its own process group: signals are the runner's to handle). */
  startWorker: (stepIds: readonly string[], resultsFile: string) => ChildProcess;
  /** Processes never stopped, nor what runs under them (the sandbox's own daemons). */
  keepPids?: () => readonly number[];
  /** Processes whose descendants are the bench's (the bench sandbox's sshd: every session on it is the bench's). */
  sessionParents?: () => readonly number[];
  /** Runs after a worker's processes are stopped (stops the app by its PID file). */
  cleanup?: () => Promise<void>;
  log: (s: string) => void;
  /** How often the results file is read. */
  pollMs?: number;
  /** How often the worker's processes are listed from /proc. */
  scanMs?: number;
  /** How long stopped processes get after SIGTERM before SIGKILL. */
  graceMs?: number;
};

export type RunnerResult = {
  outcomes: Map<string, Outcome>;
  /** How the run ended when not every step is done, e.g. "stopped by SIGTERM at step table". */
  incomplete?: string;
  seconds: number;
};

type Proc = { pid: number; start: string };

/** Parent and start time of every process, from /proc (one pass). */
function processTable(): Map<number, { ppid: number; start: string }> {
  const table = new Map<number, { ppid: number; start: string }>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      table.set(Number(e), { ppid: Number(f[1]), start: f[19] ?? '' });
    } catch {
      // gone meanwhile
    }
  }
  return table;
}

/** The processes under `roots` (the roots included unless `withRoots` is false), not descending into `keep`. */
function descendants(
  table: Map<number, { ppid: number; start: string }>,
  roots: readonly number[],
  keep: ReadonlySet<number>,
  withRoots: boolean,
): Proc[] {
  const children = new Map<number, number[]>();
  for (const [pid, p] of table) children.set(p.ppid, [...(children.get(p.ppid) ?? []), pid]);
  const out: Proc[] = [];
  const walk = (pid: number, self: boolean) => {
    if (keep.has(pid)) return;
    const p = table.get(pid);
    if (self && p) out.push({ pid, start: p.start });
    for (const c of children.get(pid) ?? []) walk(c, true);
  };
  for (const r of roots) walk(r, withRoots);
  return out;
}

/** SIGTERM, then after the grace SIGKILL, each process that is still the one seen (same start time). */
async function stopProcesses(seen: ReadonlyMap<number, string>, graceMs: number): Promise<number> {
  const same = (pid: number) => {
    if (!isAlive(pid)) return false;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] === seen.get(pid);
    } catch {
      return false;
    }
  };
  const signal = (pid: number, sig: NodeJS.Signals) => {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  };
  const alive = [...seen.keys()].filter(same);
  for (const pid of alive) signal(pid, 'SIGTERM');
  await waitFor(() => alive.every((pid) => !same(pid)), graceMs, 100);
  for (const pid of alive.filter(same)) signal(pid, 'SIGKILL');
  await waitFor(() => alive.every((pid) => !same(pid)), 5_000, 100);
  return alive.length;
}

/** Reads the lines appended to a file since the last call. */
function tail(file: string): () => BenchRecord[] {
  let offset = 0;
  let rest = '';
  return () => {
    if (!existsSync(file)) return [];
    const fd = openSync(file, 'r');
    try {
      const chunks: Buffer[] = [];
      const buf = Buffer.alloc(64 * 1024);
      for (;;) {
        const n = readSync(fd, buf, 0, buf.length, offset);
        if (n === 0) break;
        chunks.push(Buffer.from(buf.subarray(0, n)));
        offset += n;
      }
      const parsed = parseRecords(rest + Buffer.concat(chunks).toString('utf8'));
      rest = parsed.rest;
      return parsed.records;
    } finally {
      closeSync(fd);
    }
  };
}

/** Runs the steps, each in its budget, until all are done, the run is stopped or the overall limit passes. */
export async function runSteps(o: RunnerOptions): Promise<RunnerResult> {
  const t0 = Date.now();
  const overallDeadline = t0 + o.budget.limitMs;
  const pollMs = o.pollMs ?? 250;
  const scanMs = o.scanMs ?? 2_000;
  const budgetOf = new Map(o.budget.steps.map((s) => [s.id, s.budgetMs]));
  const outcomes = new Map<string, Outcome>();
  let stopSignal: NodeJS.Signals | undefined;
  let wake: () => void = () => undefined;
  const onSignal = (sig: NodeJS.Signals) => {
    if (stopSignal) return;
    stopSignal = sig;
    o.log(`${sig}: stopping the running step, then writing the report`);
    wake();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const read = tail(o.resultsFile);
  let incomplete: string | undefined;
  try {
    for (;;) {
      // A step whose prerequisite did not end well cannot run.
      for (const s of o.steps) {
        if (outcomes.has(s.id)) continue;
        const bad = s.requires.find((r) => outcomes.has(r) && outcomes.get(r)!.status !== 'done');
        if (bad) {
          const reason = `skipped: step ${bad} ${outcomes.get(bad)!.status === 'timed-out' ? 'timed out' : outcomes.get(bad)!.status}`;
          outcomes.set(s.id, { status: 'skipped', reason });
          o.log(`step ${s.id}: ${reason}`);
        }
      }
      const remaining = o.steps.filter((s) => !outcomes.has(s.id)).map((s) => s.id);
      if (remaining.length === 0 || stopSignal || incomplete) break;

      o.log(`starting a worker for ${remaining.join(', ')}`);
      const worker = o.startWorker(remaining, o.resultsFile);
      let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
      worker.on('exit', (code, signal) => {
        exit = { code, signal };
        wake();
      });
      worker.on('error', (e) => {
        exit = { code: null, signal: null };
        o.log(`the worker did not start: ${e.message}`);
        wake();
      });
      const seen = new Map<number, string>();
      let current: string | undefined = remaining[0];
      let deadline = Date.now() + (budgetOf.get(remaining[0]!) ?? 0) + o.startupMs;
      let failure: string | undefined;
      let timedOut: 'step' | 'overall' | undefined;
      const consume = () => {
        for (const r of read()) {
          if (r.type !== 'step') continue;
          if (r.event === 'start') {
            current = r.id;
            deadline = Date.now() + (budgetOf.get(r.id) ?? 0);
            o.log(`step ${r.id}: started (budget ${formatDuration(budgetOf.get(r.id) ?? 0)})`);
          } else if (r.event === 'end') {
            outcomes.set(r.id, { status: 'done' });
            o.log(`step ${r.id}: done`);
            const next = remaining[remaining.indexOf(r.id) + 1];
            current = next;
            if (next) deadline = Date.now() + (budgetOf.get(next) ?? 0);
          } else {
            failure = r.reason ?? 'unknown error';
          }
        }
      };
      // Every process the worker started, remembered while it lives (so one handed to init when
      // its parent ends is still known). Not too often: the scan costs CPU the figures share.
      let scannedAt = 0;
      const scan = () => {
        scannedAt = Date.now();
        if (worker.pid === undefined) return;
        const table = processTable();
        const keep = new Set(o.keepPids?.() ?? []);
        for (const p of descendants(table, [worker.pid], keep, true)) seen.set(p.pid, p.start);
        for (const p of descendants(table, o.sessionParents?.() ?? [], new Set(), false)) seen.set(p.pid, p.start);
      };
      for (;;) {
        consume();
        if (Date.now() - scannedAt >= scanMs) scan();
        if (exit || stopSignal) break;
        if (Date.now() > overallDeadline) {
          timedOut = 'overall';
          break;
        }
        if (current !== undefined && Date.now() > deadline) {
          timedOut = 'step';
          break;
        }
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, pollMs);
          wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
      }
      // Whatever ended the worker, nothing it started outlives it (the sandbox's daemons excepted).
      scan();
      for (const pid of o.keepPids?.() ?? []) seen.delete(pid);
      const stopped = await stopProcesses(seen, o.graceMs ?? 5_000);
      if (stopped) o.log(`stopped ${stopped} process(es) the worker had started`);
      await o.cleanup?.();
      consume();
      if (current === undefined || outcomes.has(current)) continue;
      const budget = formatDuration(budgetOf.get(current) ?? 0);
      if (stopSignal) {
        incomplete = `stopped by ${stopSignal} at step ${current}`;
        outcomes.set(current, { status: 'stopped', reason: incomplete });
      } else if (timedOut === 'overall') {
        incomplete = `timed out at step ${current} (the overall limit of ${formatDuration(o.budget.limitMs)})`;
        outcomes.set(current, { status: 'timed-out', reason: incomplete });
      } else if (timedOut === 'step') {
        outcomes.set(current, {
          status: 'timed-out',
          reason: `timed out at step ${current} (its budget of ${budget})`,
        });
      } else {
        const how = exit?.signal
          ? `the worker was ended by ${exit.signal}`
          : `the worker exited with code ${exit?.code}`;
        outcomes.set(current, { status: 'failed', reason: `failed at step ${current}: ${failure ?? how}` });
      }
      o.log(`step ${current}: ${outcomes.get(current)!.reason}`);
    }
    // Steps the run did not get to, after a stop or the overall limit.
    for (const s of o.steps) if (!outcomes.has(s.id)) outcomes.set(s.id, { status: 'stopped', reason: incomplete });
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  for (const [id, oc] of outcomes)
    appendRecord(o.resultsFile, { type: 'outcome', id, status: oc.status, reason: oc.reason });
  if (!incomplete && [...outcomes.values()].some((oc) => oc.status !== 'done')) {
    incomplete = [...outcomes.entries()]
      .filter(([, oc]) => oc.status !== 'done')
      .map(([id, oc]) => oc.reason ?? `step ${id} ${oc.status}`)
      .join('; ');
  }
  return { outcomes, incomplete, seconds: Math.round((Date.now() - t0) / 1000) };
}

export type BenchOptions = RunnerOptions & {
  /** Every figure the full bench reports, with its step. */
  expected: readonly ExpectedFigure[];
  /** Steps of the full bench that were not selected, and why (e.g. "not selected (--only overview)"). */
  notSelected: ReadonlyMap<string, string>;
  /** Where report.md and report.json (and history.json, for a complete run) go. */
  outDir: string;
};

/** The note on how quiet the machine was before the timed runs (from the settle waits recorded). */
function quietNote(waits: readonly { waitedMs: number; idle: number }[]): string | undefined {
  if (waits.length === 0) return undefined;
  const ms = waits.map((w) => w.waitedMs);
  const busy = waits.filter((w) => w.idle < 0.9);
  return (
    `quiet machine: before each of ${waits.length} timed runs or series of warm runs the bench ran sync and waited for the CPUs to be >= 90% idle ` +
    `(median wait ${median(ms).toFixed(0)} ms, longest ${(Math.max(...ms) / 1000).toFixed(1)} s); ` +
    (busy.length === 0
      ? 'every run started on a quiet machine'
      : `${busy.length} started after the 20 s bound on a busier one (least idle ${(Math.min(...busy.map((w) => w.idle)) * 100).toFixed(0)}%)`)
  );
}

/**
 * The whole run: the plan printed and written, the steps run, and the report written from the
 * results file, always, whether the run completed, was stopped, timed out or a step failed.
 */
export async function runBench(o: BenchOptions): Promise<{ report: Report; complete: boolean }> {
  if (existsSync(o.resultsFile)) renameSync(o.resultsFile, o.resultsFile.replace(/\.jsonl$/, '.previous.jsonl'));
  writeFileSync(o.resultsFile, '');
  appendRecord(o.resultsFile, {
    type: 'run',
    at: new Date().toISOString(),
    steps: o.budget.steps,
    limitMs: o.budget.limitMs,
  });
  o.log(`results are appended to ${o.resultsFile} as they are measured`);
  let result: RunnerResult;
  try {
    result = await runSteps(o);
  } catch (e) {
    // The runner itself failing still leaves a report of what was measured.
    o.log(`the runner failed: ${e instanceof Error ? e.message : String(e)}`);
    result = {
      outcomes: new Map(o.steps.map((s) => [s.id, { status: 'failed', reason: 'the runner failed' }])),
      incomplete: 'the runner failed',
      seconds: 0,
    };
  }
  const got = gather(readRecords(o.resultsFile));
  const outcomes = new Map(result.outcomes);
  for (const [id, reason] of o.notSelected) outcomes.set(id, { status: 'not-selected', reason });
  const missing = missingFigures(o.expected, got.figures, outcomes);
  const incomplete = result.incomplete ?? (missing.length ? 'not every step was selected' : undefined);
  const quiet = quietNote(got.settles);
  const report: Report = {
    generatedAt: new Date().toISOString(),
    seconds: result.seconds,
    machine: {
      cpus: cpus().length,
      cpuModel: cpus()[0]?.model ?? '',
      memoryGiB: Math.round(totalmem() / 1024 ** 3),
      node: process.version,
      restic: got.restic,
      loadAverageAtEnd: loadavg().map((l) => Number(l.toFixed(2))),
    },
    figures: got.figures,
    routes: got.routes,
    notes: [...got.notes, ...(quiet ? [quiet] : [])],
    buildSeconds: got.buildSeconds,
    ...(incomplete === undefined ? {} : { incomplete, missing }),
  };
  writeReports(report, o.outDir);
  o.log(
    incomplete === undefined
      ? `report written to ${o.outDir}/report.md in ${report.seconds} s`
      : `report written to ${o.outDir}/report.md in ${report.seconds} s (incomplete: ${incomplete}; ${missing.length} figure(s) not measured)`,
  );
  // Complete: every step selected ran to its end (figures left out by --only are not missing).
  return { report, complete: result.incomplete === undefined };
}
