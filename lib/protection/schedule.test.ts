import { describe, expect, it } from 'vitest';
import { describeSchedule, nextRun, scheduleInterval, type Schedule } from './schedule';

// Epochs in UTC; describeSchedule is asked for UTC so the words do not depend on the machine's zone.
const T = Date.UTC(2026, 0, 19, 2, 0) / 1000; // Monday 2026-01-19 02:00 UTC
const base: Schedule = { time: T, repeat: 0, days: [0, 1, 2, 3, 4, 5, 6], endType: 0, endValue: -1, done: 0 };
const utc = { timeZone: 'UTC' };

describe('describeSchedule', () => {
  it.each([
    ['Sunstone daily (weekly, every day)', {}, 'daily at 02:00'],
    ['weekly on two days, Monday first', { days: [4, 1] }, 'every Monday and Thursday at 02:00'],
    ['weekly with Sunday last', { days: [0, 6, 3] }, 'every Wednesday, Saturday and Sunday at 02:00'],
    ['hourly', { repeat: 3, days: [1] }, 'hourly'],
    ['every H hours', { repeat: 3, days: [24] }, 'every 24 hours'],
    ['monthly', { repeat: 1, days: [15, 1] }, 'on the 1st and 15th of each month at 02:00'],
    [
      'monthly ordinals',
      { repeat: 1, days: [2, 3, 11, 22, 31] },
      'on the 2nd, 3rd, 11th, 22nd and 31st of each month at 02:00',
    ],
    ['yearly (tm_yday, 0 = 1 January)', { repeat: 2, days: [0, 59] }, 'yearly on 1 January and 29 February at 02:00'],
    ['one-shot', { repeat: -1, days: [] }, 'once on 2026-01-19 at 02:00'],
    ['ends after runs', { endType: 1, endValue: 3 }, 'daily at 02:00, 3 more times'],
    ['ends after one run', { endType: 1, endValue: 1 }, 'daily at 02:00, 1 more time'],
    ['no runs left', { endType: 1, endValue: 0 }, 'daily at 02:00, ended'],
    ['ends on a date', { endType: 2, endValue: Date.UTC(2026, 11, 31) / 1000 }, 'daily at 02:00, until 2026-12-31'],
  ] as [string, Partial<Schedule>, string][])('%s', (_, patch, words) => {
    expect(describeSchedule({ ...base, ...patch }, utc)).toBe(words);
  });

  it('keeps the time of day of the zone it is asked for', () => {
    expect(describeSchedule({ ...base, days: [1] }, { timeZone: 'Europe/Madrid' })).toBe('every Monday at 03:00');
  });
});

describe('nextRun', () => {
  it('is TIME while the action is not done, in the future or (due) in the past', () => {
    expect(nextRun(base, T - 60)).toBe(T);
    expect(nextRun(base, T + 86_400)).toBe(T);
  });
  it('is undefined for a done one-shot action (DONE >= TIME)', () => {
    expect(nextRun({ ...base, repeat: -1, done: T }, T + 10)).toBeUndefined();
  });
  it('a repeating action oned moved on after its last run (DONE < TIME) runs at TIME', () => {
    expect(nextRun({ ...base, done: T - 86_400 }, T - 3600)).toBe(T);
  });
  it('is undefined once ended: no runs left, or past its end date', () => {
    expect(nextRun({ ...base, endType: 1, endValue: 0 }, T - 10)).toBeUndefined();
    expect(nextRun({ ...base, endType: 1, endValue: 2 }, T - 10)).toBe(T);
    expect(nextRun({ ...base, endType: 2, endValue: T - 5 }, T - 1)).toBeUndefined();
    expect(nextRun({ ...base, endType: 2, endValue: T + 5 }, T - 1)).toBe(T);
  });
});

describe('scheduleInterval', () => {
  it.each([
    [{ repeat: 0, days: [0, 1, 2, 3, 4, 5, 6] }, 86_400],
    [{ repeat: 0, days: [1, 5] }, 4 * 86_400],
    [{ repeat: 0, days: [3] }, 7 * 86_400],
    [{ repeat: 3, days: [6] }, 6 * 3600],
    [{ repeat: 1, days: [1, 15] }, 17 * 86_400],
    [{ repeat: -1, days: [] }, undefined],
  ])('%o -> %s', (s, seconds) => {
    expect(scheduleInterval(s)).toBe(seconds);
  });
});
