import { describe, expect, it } from 'vitest';
import { isDue, nextRunAt, type DueFacts } from './due';

const MIN = 60_000;
const HOUR = 60 * MIN;

const facts = (f: Partial<DueFacts>): DueFacts => ({ enabled: true, intervalMs: HOUR, running: false, ...f });

/** Ticks every 30 s from `from` to `to` with a fake clock; a due schedule "runs" (starts) at once. */
function simulate(
  f: Omit<DueFacts, 'lastStartedAt' | 'running'>,
  lastStartedAt: number | undefined,
  from: number,
  to: number,
) {
  const starts: number[] = [];
  let last = lastStartedAt;
  for (let now = from; now <= to; now += 30_000) {
    if (isDue({ ...f, lastStartedAt: last, running: false }, now)) {
      starts.push(now);
      last = now;
    }
  }
  return starts;
}

describe('when a schedule runs', () => {
  it('is due one interval after its last run started, not before', () => {
    const f = facts({ lastStartedAt: 10 * HOUR });
    expect(nextRunAt(f)).toBe(11 * HOUR);
    expect(isDue(f, 11 * HOUR - 1)).toBe(false);
    expect(isDue(f, 11 * HOUR)).toBe(true);
  });

  it('never runs while disabled, and has no next run', () => {
    const f = facts({ enabled: false, lastStartedAt: 0 });
    expect(nextRunAt(f)).toBeUndefined();
    expect(isDue(f, 100 * HOUR)).toBe(false);
  });

  it('never starts a second run while one is going on', () => {
    expect(isDue(facts({ lastStartedAt: 0, running: true }), 100 * HOUR)).toBe(false);
  });

  it('runs a default nobody set at once, and one an admin set one interval after setting it', () => {
    expect(isDue(facts({}), 5)).toBe(true);
    expect(nextRunAt(facts({ setAt: 3 * HOUR }))).toBe(4 * HOUR);
    expect(isDue(facts({ setAt: 3 * HOUR }), 3 * HOUR + MIN)).toBe(false);
    // Once it ran, the last run counts, not when it was set.
    expect(nextRunAt(facts({ setAt: 3 * HOUR, lastStartedAt: 5 * HOUR }))).toBe(6 * HOUR);
  });

  it('runs a run missed while Backstone was down ONCE at start, then one interval after that', () => {
    // Last run at 0; Backstone down from 0:30 to 10:10 (nine hourly slots missed), ticking again from 10:10.
    const starts = simulate({ enabled: true, intervalMs: HOUR }, 0, 10 * HOUR + 10 * MIN, 13 * HOUR);
    expect(starts).toEqual([10 * HOUR + 10 * MIN, 11 * HOUR + 10 * MIN, 12 * HOUR + 10 * MIN]);
  });

  it('runs every interval while up, with a 30 s ticker', () => {
    const starts = simulate({ enabled: true, intervalMs: 5 * MIN }, undefined, 0, 20 * MIN);
    expect(starts).toEqual([0, 5 * MIN, 10 * MIN, 15 * MIN, 20 * MIN]);
  });
});
