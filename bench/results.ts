// The bench's results file: one JSON line per event, appended (synchronously) the moment it
// happens, so a bench stopped, timed out or killed keeps every figure measured so far. The worker
// (run.bench.ts) writes steps, figures and notes; the runner (runner.ts) writes the plan and each
// step's outcome, and builds the report from the file.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { Figure } from './measure';

export type RouteJs = {
  route: string;
  /** gzip -9 of the JS files the build's manifests list for the route (what the target counts). */
  manifestGzipBytes?: number;
  /** The same files uncompressed. */
  manifestRawBytes?: number;
  /** Encoded bytes of the script responses Chromium received loading the page from a fresh cache. */
  browserBytes?: number;
  scripts?: number;
};

/** How a step ended. Only 'done' means every figure it measures was measured. */
export type StepStatus = 'done' | 'timed-out' | 'failed' | 'stopped' | 'skipped' | 'not-selected';

export type Outcome = {
  status: StepStatus;
  /** What the report says about the step's missing figures, e.g. "timed out at step table". */
  reason?: string;
};

export type BenchRecord =
  | { type: 'run'; at: string; steps: { id: string; budgetMs: number }[]; limitMs: number }
  | { type: 'step'; id: string; event: 'start' | 'end' | 'failed'; at: string; reason?: string }
  | { type: 'outcome'; id: string; status: StepStatus; reason?: string }
  | { type: 'figure'; step: string; figure: Figure }
  | { type: 'note'; step: string; text: string }
  | { type: 'routes'; routes: RouteJs[] }
  | { type: 'build'; seconds: number }
  | { type: 'settle'; waitedMs: number; idle: number }
  | { type: 'machine'; restic: string };

export function appendRecord(file: string, record: BenchRecord): void {
  appendFileSync(file, `${JSON.stringify(record)}\n`);
}

/** Every whole line of the file (a line being written when the bench was killed is left out). */
export function readRecords(file: string): BenchRecord[] {
  if (!existsSync(file)) return [];
  return parseRecords(readFileSync(file, 'utf8')).records;
}

/** Complete lines parsed; `rest` is the unfinished last line, if any. */
export function parseRecords(text: string): { records: BenchRecord[]; rest: string } {
  const lines = text.split('\n');
  const rest = lines.pop() ?? '';
  const records: BenchRecord[] = [];
  for (const line of lines) {
    if (!line.trim()) continue;
    try {
      records.push(JSON.parse(line) as BenchRecord);
    } catch {
      // A line torn by a kill: what it held was not measured.
    }
  }
  return { records, rest };
}

/** What a results file holds, gathered for the report. */
export type Gathered = {
  figures: Figure[];
  notes: string[];
  routes: RouteJs[];
  buildSeconds?: number;
  settles: { waitedMs: number; idle: number }[];
  restic: string;
};

export function gather(records: readonly BenchRecord[]): Gathered {
  const figures = new Map<string, Figure>();
  const out: Gathered = { figures: [], notes: [], routes: [], settles: [], restic: '' };
  for (const r of records) {
    if (r.type === 'figure') figures.set(r.figure.id, r.figure);
    else if (r.type === 'note') out.notes.push(r.text);
    else if (r.type === 'routes') out.routes = r.routes;
    else if (r.type === 'build') out.buildSeconds = r.seconds;
    else if (r.type === 'settle') out.settles.push({ waitedMs: r.waitedMs, idle: r.idle });
    else if (r.type === 'machine') out.restic = r.restic;
  }
  out.figures = [...figures.values()];
  return out;
}

/** The line printed for a figure the moment it is measured. */
export function figureLine(f: Figure): string {
  const value = f.value === undefined ? '—' : `${f.value.toFixed(2)} ${f.unit ?? ''}`.trim();
  const met = f.met === undefined ? '' : f.met ? ', met' : ', NOT met';
  return `figure ${f.id}: ${value} (target ${f.target}${met})`;
}
