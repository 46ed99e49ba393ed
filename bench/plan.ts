// The bench's plan: which steps run (with what they need first) and how long each may take. Each
// step's budget is sized from what it does, so the overall limit follows the steps selected
// instead of a fixed 30 minutes that a busy machine outruns.

export type StepPlan = {
  id: string;
  title: string;
  /** Typical time of the step's work on a quiet 2-core machine (from the reports' runs). */
  workMs: number;
  /** How many times it waits for a quiet machine (measure.ts settle) before a timed run. */
  settles: number;
  /** Steps whose results it uses; selected with it, and when one of them did not end well it is skipped. */
  requires: string[];
};

export type BudgetOptions = {
  /** How much slower the work may be on a machine others are loading. */
  slowdown: number;
  /** The longest one settle() waits: on a machine that never gets quiet, every wait. */
  settleMaxMs: number;
  /** Starting a worker (vitest, the sandbox and dataset checks) before its first step. */
  startupMs: number;
  /** Added to the sum of the budgets for the overall limit (worker restarts, stopping, the report). */
  margin: number;
};

/** The budget of one step: its work slowed down, plus every settle wait at its bound. */
export function stepBudgetMs(step: Pick<StepPlan, 'workMs' | 'settles'>, o: BudgetOptions): number {
  return Math.ceil(step.workMs * o.slowdown + step.settles * o.settleMaxMs);
}

export type Budget = {
  steps: { id: string; budgetMs: number }[];
  sumMs: number;
  /** The overall limit: the budgets summed with one worker start, plus the margin. */
  limitMs: number;
};

export function budgetFor(steps: readonly StepPlan[], o: BudgetOptions): Budget {
  const budgets = steps.map((s) => ({ id: s.id, budgetMs: stepBudgetMs(s, o) }));
  const sumMs = budgets.reduce((a, b) => a + b.budgetMs, 0);
  return { steps: budgets, sumMs, limitMs: Math.ceil((sumMs + o.startupMs) * (1 + o.margin)) };
}

/**
 * The steps to run, in the plan's order: those named and every step they require. Unknown names
 * are refused with the list of known ones.
 */
export function selectSteps(all: readonly StepPlan[], only?: readonly string[]): StepPlan[] {
  if (only === undefined) return [...all];
  const byId = new Map(all.map((s) => [s.id, s]));
  const unknown = only.filter((id) => !byId.has(id));
  if (unknown.length) {
    throw new Error(`unknown step ${unknown.join(', ')}; the steps are ${all.map((s) => s.id).join(', ')}`);
  }
  const wanted = new Set<string>();
  const add = (id: string) => {
    if (wanted.has(id)) return;
    wanted.add(id);
    for (const r of byId.get(id)?.requires ?? []) add(r);
  };
  only.forEach(add);
  return all.filter((s) => wanted.has(s.id));
}

/** "45 s", "12 min", "2 h 05 min": for budgets and limits printed to people. */
export function formatDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  const min = Math.round(s / 60);
  if (min < 60) return `${min} min`;
  return `${Math.floor(min / 60)} h ${String(min % 60).padStart(2, '0')} min`;
}

/** The lines printed at the start: each step's budget and the overall limit. */
export function budgetLines(steps: readonly StepPlan[], budget: Budget, o: BudgetOptions): string[] {
  return [
    ...steps.map((s, i) => {
      const b = budget.steps[i]!.budgetMs;
      return `step ${s.id} (${s.title}): budget ${formatDuration(b)} (work ~${formatDuration(s.workMs)} x ${o.slowdown}${s.settles ? ` + ${s.settles} quiet waits of at most ${formatDuration(o.settleMaxMs)}` : ''})`;
    }),
    `overall limit ${formatDuration(budget.limitMs)}: the steps' ${formatDuration(budget.sumMs)} and ${formatDuration(o.startupMs)} to start, plus ${Math.round(o.margin * 100)}%`,
  ];
}

/** Whether any of the steps `ids` is `dep` or needs it, directly or through the steps it requires. */
export function needs(all: readonly StepPlan[], ids: readonly string[], dep: string): boolean {
  const byId = new Map(all.map((s) => [s.id, s]));
  const seen = new Set<string>();
  const visit = (id: string): boolean => {
    if (id === dep) return true;
    if (seen.has(id)) return false;
    seen.add(id);
    return (byId.get(id)?.requires ?? []).some(visit);
  };
  return ids.some(visit);
}
