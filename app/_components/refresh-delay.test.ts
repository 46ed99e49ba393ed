import { describe, expect, it } from 'vitest';
import { afterRefresh, armSettle, refreshDelay, SETTLE_REFRESHES, type RefreshState } from './refresh-delay';

/** The delays of the refreshes a page asks for, given whether each answer it gets is active. */
function delays(answers: boolean[], settle: boolean, start: RefreshState): (number | undefined)[] {
  let state = start;
  const out: (number | undefined)[] = [];
  for (const active of answers) {
    const d = refreshDelay(active, state);
    out.push(d);
    if (d === undefined) break;
    state = afterRefresh(active, state, settle);
  }
  return out;
}

describe('refreshDelay', () => {
  it('refreshes every 2 s while active, every 15 s after a minute, and never when idle from the start', () => {
    expect(refreshDelay(true, { tries: 0, settleLeft: 0 })).toBe(2_000);
    expect(refreshDelay(true, { tries: 30, settleLeft: 0 })).toBe(15_000);
    expect(refreshDelay(false, { tries: 0, settleLeft: 0 })).toBeUndefined();
  });

  it('a settling page asks again after activity ends, until reads older than the read cache are gone', () => {
    // A Backup Job page: active while a backup runs; the first idle answer may pair a job read from
    // before the failure with VMs read after it, so it asks a few more times.
    const start = { tries: 0, settleLeft: 0 };
    expect(delays([true, true, false, false, false, false], true, start)).toEqual([
      2_000,
      2_000,
      ...Array<number>(SETTLE_REFRESHES).fill(2_000),
      undefined,
    ]);
  });

  it('a page that does not settle stops at its first idle answer', () => {
    expect(delays([true, false], false, { tries: 0, settleLeft: 0 })).toEqual([2_000, undefined]);
  });

  it('activity that comes back after settling began starts the settling again', () => {
    const start = { tries: 0, settleLeft: 0 };
    expect(delays([true, false, true, false, false, false, false], true, start)).toEqual([
      2_000,
      2_000,
      2_000,
      2_000,
      2_000,
      2_000,
      undefined,
    ]);
  });
});

describe('armSettle', () => {
  it('activity seen in a render arms the settling, even when it ends before the first refresh fires', () => {
    // Run now, then Cancel within the first 2 s: the page saw the job running, no refresh fired
    // while it ran, and its first idle answer may still pair reads from before and after.
    let state = { tries: 0, settleLeft: 0 };
    state = armSettle(true, state, true);
    expect(refreshDelay(false, state)).toBe(2_000);
    expect(armSettle(true, { tries: 0, settleLeft: 0 }, false).settleLeft).toBe(0);
    expect(armSettle(false, { tries: 4, settleLeft: 0 }, true)).toEqual({ tries: 4, settleLeft: 0 });
  });
});
