// Timing helpers for the benchmark: medians of several runs, side by side with a baseline.

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
): Promise<[number[], number[]]> {
  const as: number[] = [];
  const bs: number[] = [];
  for (let i = 0; i < n; i++) {
    as.push(await time(a));
    bs.push(await time(b));
  }
  return [as, bs];
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
