import { describe, expect, it } from 'vitest';
import {
  budgetFor,
  budgetLines,
  formatDuration,
  needs,
  selectSteps,
  stepBudgetMs,
  type BudgetOptions,
  type StepPlan,
} from './plan';
import { BUDGET, FIGURES, STEPS } from './steps';

const o: BudgetOptions = { slowdown: 3, settleMaxMs: 20_000, startupMs: 60_000, margin: 0.1 };
const step = (id: string, workMs: number, settles: number, requires: string[] = []): StepPlan => ({
  id,
  title: id,
  workMs,
  settles,
  requires,
});

describe('step budgets', () => {
  it('is the work slowed down plus every quiet wait at its bound', () => {
    expect(stepBudgetMs({ workMs: 10_000, settles: 0 }, o)).toBe(30_000);
    expect(stepBudgetMs({ workMs: 10_000, settles: 4 }, o)).toBe(30_000 + 80_000);
  });

  it('sums the steps run, adds one worker start and the margin for the overall limit', () => {
    const b = budgetFor([step('a', 10_000, 1), step('b', 20_000, 0)], o);
    expect(b.steps).toEqual([
      { id: 'a', budgetMs: 50_000 },
      { id: 'b', budgetMs: 60_000 },
    ]);
    expect(b.sumMs).toBe(110_000);
    expect(b.limitMs).toBe(Math.ceil((110_000 + 60_000) * 1.1));
  });

  it('follows the steps selected: fewer steps, a smaller limit', () => {
    const all = budgetFor(STEPS, BUDGET);
    const one = budgetFor(selectSteps(STEPS, ['snapshots']), BUDGET);
    expect(one.limitMs).toBeLessThan(all.limitMs);
    // The whole bench on a machine that never gets quiet needs far more than the old fixed 30 minutes.
    expect(all.limitMs).toBeGreaterThan(30 * 60_000);
  });

  it('prints each step budget and the overall limit', () => {
    const steps = [step('a', 10_000, 2)];
    const lines = budgetLines(steps, budgetFor(steps, o), o);
    expect(lines[0]).toBe('step a (a): budget 1 min (work ~10 s x 3 + 2 quiet waits of at most 20 s)');
    expect(lines[1]).toBe("overall limit 2 min: the steps' 1 min and 1 min to start, plus 10%");
  });
});

describe('selecting steps', () => {
  const all = [
    step('setup', 1, 0),
    step('a', 1, 0, ['setup']),
    step('build', 1, 0, ['setup']),
    step('b', 1, 0, ['setup', 'build']),
  ];

  it('runs every step without --only', () => {
    expect(selectSteps(all).map((s) => s.id)).toEqual(['setup', 'a', 'build', 'b']);
  });

  it('adds what a step requires, in the plan order', () => {
    expect(selectSteps(all, ['b']).map((s) => s.id)).toEqual(['setup', 'build', 'b']);
    expect(selectSteps(all, ['a']).map((s) => s.id)).toEqual(['setup', 'a']);
  });

  it('tells whether steps need another, directly or through what they require', () => {
    expect(needs(all, ['b'], 'setup')).toBe(true);
    expect(needs(all, ['setup'], 'setup')).toBe(true);
    expect(needs(all, ['a', 'b'], 'build')).toBe(true);
    expect(needs(all, ['a'], 'build')).toBe(false);
    expect(needs(all, [], 'setup')).toBe(false);
    const two = [step('s', 1, 0), step('x', 1, 0, ['y']), step('y', 1, 0, ['s'])];
    expect(needs(two, ['x'], 's')).toBe(true);
  });

  it('refuses an unknown step, naming the known ones', () => {
    expect(() => selectSteps(all, ['tabel'])).toThrow('unknown step tabel; the steps are setup, a, build, b');
  });
});

describe('the bench plan', () => {
  it('has every figure measured by one of its steps', () => {
    const ids = new Set(STEPS.map((s) => s.id));
    for (const f of FIGURES) expect(ids.has(f.step), f.id).toBe(true);
    expect(new Set(FIGURES.map((f) => f.id)).size).toBe(FIGURES.length);
  });

  it('runs the home and VMs pages without the benchmark dataset', () => {
    expect(needs(STEPS, ['pages'], 'dataset')).toBe(false);
    expect(needs(STEPS, ['table'], 'dataset')).toBe(true);
  });

  it('requires only earlier steps', () => {
    STEPS.forEach((s, i) => {
      for (const r of s.requires) expect(STEPS.findIndex((x) => x.id === r)).toBeLessThan(i);
    });
  });
});

describe('durations', () => {
  it('reads as seconds, minutes or hours', () => {
    expect(formatDuration(45_000)).toBe('45 s');
    expect(formatDuration(12 * 60_000)).toBe('12 min');
    expect(formatDuration(125 * 60_000)).toBe('2 h 05 min');
  });
});
