// Timing helpers for the benchmark: medians of several runs, side by side with a baseline.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** time(fn), and the bench process's own CPU time in it (pushed to `cpu`, in ms). */
export async function timedWithCpu(fn: () => Promise<unknown>, cpu: number[]): Promise<number> {
  const c0 = process.cpuUsage();
  const ms = await time(fn);
  const c = process.cpuUsage(c0);
  cpu.push((c.user + c.system) / 1000);
  return ms;
}

export async function time(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export async function runs(
  n: number,
  fn: () => Promise<unknown>,
  before?: () => Promise<void> | void,
): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    await before?.();
    out.push(await time(fn));
  }
  return out;
}

/** n runs of a and b, alternating (a, b, a, b, ...), so a drift of the machine hits both alike. */
export async function pairedRuns(
  n: number,
  a: () => Promise<unknown>,
  b: () => Promise<unknown>,
  before?: () => Promise<void> | void,
): Promise<[number[], number[]]> {
  const [as = [], bs = []] = await rotatedRuns(n, [a, b], before, false);
  return [as, bs];
}

/**
 * n rounds of every arm, each round in turn led by the next arm (a b c, b c a, c a b, ...) when
 * `rotate`: so neither a drift of the machine nor what the arm before leaves behind favours one.
 * One array of times per arm, in the arms' order.
 */
export async function rotatedRuns(
  n: number,
  arms: readonly (() => Promise<unknown>)[],
  before?: () => Promise<void> | void,
  rotate = true,
): Promise<number[][]> {
  const out = arms.map((): number[] => []);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < arms.length; k++) {
      const arm = rotate ? (i + k) % arms.length : k;
      await before?.();
      out[arm]!.push(await time(arms[arm]!));
    }
  }
  return out;
}

export type Figure = {
  id: string;
  what: string;
  target: string;
  backstoneMs?: number[];
  baselineMs?: number[];
  /** backstone median / baseline median (lower is better), or an absolute figure. */
  value?: number;
  unit?: string;
  met?: boolean;
  note?: string;
};

type CpuTimes = { idle: number; total: number };

function cpuTimes(): CpuTimes {
  // First line of /proc/stat: "cpu  user nice system idle iowait irq softirq steal ...", in ticks.
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  return { idle: f[3] ?? 0, total };
}

/** The longest settle() waits before measuring anyway (on a busy machine, every wait). */
export const SETTLE_MAX_MS = 20_000;

/**
 * Waits until the machine is quiet before a figure: dirty pages written out (sync) and the CPUs at
 * least 90% idle over a quarter of a second, so a figure does not pay for what the one before it
 * left running (restic caches being written, sshd sessions closing, a browser shutting down).
 * Bounded: after maxMs it measures anyway and says how idle the machine was.
 */
export async function settle(maxMs = SETTLE_MAX_MS): Promise<{ waitedMs: number; idle: number }> {
  const t0 = performance.now();
  execFileSync('sync');
  let idle = 0;
  do {
    const a = cpuTimes();
    await new Promise((r) => setTimeout(r, 250));
    const b = cpuTimes();
    idle = b.total > a.total ? (b.idle - a.idle) / (b.total - a.total) : 1;
  } while (idle < 0.9 && performance.now() - t0 < maxMs);
  return { waitedMs: performance.now() - t0, idle };
}

/**
 * Calls per series once the read cache has expired (overview, snapshot list): each takes 100-250 ms
 * (five OpenNebula CLI calls) and one run's own calls spread by up to 1.7x, so the median needs many.
 */
/**
 * Cold datastore overviews, `n` of them, each after `emptyCaches` and a quiet machine: timed to the
 * page's answer (`answer`, within its bound) and on to every repository read (`complete`, which
 * joins the reads the answer left running, as the page's next requests do).
 */
export async function coldOverviews(
  n: number,
  o: {
    emptyCaches: () => void;
    quiet: () => Promise<unknown>;
    answer: () => Promise<{ pending: number; repositories: readonly unknown[] }>;
    complete: () => Promise<unknown>;
  },
): Promise<{ cold: number[]; coldComplete: number[]; coldPending: number[]; coldRepos: number }> {
  const cold: number[] = [];
  const coldComplete: number[] = [];
  const coldPending: number[] = [];
  let coldRepos = 0;
  for (let i = 0; i < n; i++) {
    o.emptyCaches();
    await o.quiet();
    const t0 = performance.now();
    const answer = await o.answer();
    cold.push(performance.now() - t0);
    coldPending.push(answer.pending);
    coldRepos = answer.repositories.length;
    await o.complete();
    coldComplete.push(performance.now() - t0);
  }
  return { cold, coldComplete, coldPending, coldRepos };
}

export const WARM_RUNS = 41;
/**
 * Across the 200-repository baseline loop, four warm calls (two overviews, two snapshot lists)
 * every this many repositories: 100 of each, spread over its minutes.
 */
export const WARM_EVERY = 4;
/** Cold overviews of the S3 datastore, each until restic has read every repository (about a minute). */
export const S3_COLD_RUNS = 3;
/**
 * Across the S3 datastore's per-repository restic loop, two warm overviews (and two listings of the
 * bucket) every this many repositories.
 */
export const S3_WARM_EVERY = 4;
/**
 * Restores of the 1 GiB disk each way (Backstone's, raw restic's over a new ssh connection, restic's
 * on the backup server itself), in rotating order. One restore's time spreads by ~±10% (1.55-2.03 s
 * within a run): with 9 each way the ratio of the medians moved 0.99-1.06 between runs, while 27
 * restores each way, pooled over those runs, differed by ~4%.
 */
export const RESTORES = 15;
/**
 * The longest OpenNebula read cache the configuration allows (BACKSTONE_ONE_READ_CACHE_SECONDS):
 * warm series run with it, so that one read of OpenNebula's answers serves a minute of calls.
 */
export const LONGEST_READ_CACHE_SECONDS = 99;
/**
 * Measured loads of the 10,000-row table: with the server warm, and after its read cache expired.
 * One load's first paint spreads over ~0.13-0.45 s: with 31 loads the median moved by up to 19%
 * between runs. Warm loads take ~1.5 s each (two windows of a 99 s read cache for 101).
 */
export const TABLE_LOADS = 101;
export const TABLE_LOADS_EXPIRED = 21;
/** Loads of the table before the measured ones, not counted (a fresh server process). */
export const TABLE_WARM_UP_LOADS = 3;

/** What a figure is, apart from its samples and result. */
type Described = Pick<Figure, 'id' | 'what' | 'target' | 'note'>;

/** Backstone's median time, met when at most `limitMs` (informative without one). */
export function msFigure(d: Described, ours: number[], limitMs?: number): Figure {
  const value = median(ours);
  return { ...d, backstoneMs: ours, value, unit: 'ms', ...(limitMs === undefined ? {} : { met: value <= limitMs }) };
}

/**
 * Backstone's median over the raw command's, both timed in the same run (lower is better), met
 * when at most `limit` (informative without one).
 */
export function ratioFigure(d: Described, ours: number[], raw: number[], limit?: number): Figure {
  const value = median(ours) / median(raw);
  return {
    ...d,
    backstoneMs: ours,
    baselineMs: raw,
    value,
    unit: 'x raw',
    ...(limit === undefined ? {} : { met: value <= limit }),
  };
}
/**
 * Measured loads of the home page and of /vms (2,000 VMs) each, warm: one of each per round, the
 * order turning. A warm load takes tens to hundreds of milliseconds.
 */
export const PAGE_ROUNDS = 41;
/** Loads of each once the read cache has expired, each after waiting past it (~4 s). */
export const PAGE_EXPIRED_LOADS = 15;
/** A quiet wait before every this many rounds (warm) or loads (expired). */
export const PAGE_QUIET_EVERY = 4;
/** Loads of each page before the measured ones, not counted (a fresh server process). */
export const PAGE_WARM_UP_LOADS = 3;
