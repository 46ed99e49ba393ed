import { describe, expect, it } from 'vitest';
import { formatAge, formatDate } from './format-time';

const NOW = Date.UTC(2026, 10, 20, 12, 0, 0);
const MIN = 60_000;
const DAY = 86_400_000;

describe('formatAge', () => {
  it('says how long ago, in the largest whole unit', () => {
    expect(formatAge(NOW - 30_000, NOW)).toBe('just now');
    expect(formatAge(NOW - MIN, NOW)).toBe('1 minute ago');
    expect(formatAge(NOW - 59 * MIN, NOW)).toBe('59 minutes ago');
    expect(formatAge(NOW - 2 * 60 * MIN - 1, NOW)).toBe('2 hours ago');
    expect(formatAge(NOW - DAY, NOW)).toBe('1 day ago');
    expect(formatAge(NOW - 3 * DAY, NOW)).toBe('3 days ago');
    expect(formatAge(NOW - 8 * DAY, NOW)).toBe('1 week ago');
    expect(formatAge(NOW - 60 * DAY, NOW)).toBe('2 months ago');
    expect(formatAge(NOW - 800 * DAY, NOW)).toBe('2 years ago');
  });

  it('says "in …" for the future', () => {
    expect(formatAge(NOW + 2 * 60 * MIN + 5, NOW)).toBe('in 2 hours');
    expect(formatAge(NOW + DAY, NOW)).toBe('in 1 day');
    expect(formatAge(NOW + 10_000, NOW)).toBe('just now');
  });

  it('takes ISO strings and epoch milliseconds, and shows a dash for nothing or nonsense', () => {
    expect(formatAge(new Date(NOW - 3 * DAY).toISOString(), NOW)).toBe('3 days ago');
    expect(formatAge(undefined, NOW)).toBe('—');
    expect(formatAge('not a date', NOW)).toBe('—');
  });

  it('says whole days past in sentences: today, yesterday, N days ago', () => {
    expect(formatAge(NOW - 3 * 60 * MIN, NOW, { days: true })).toBe('today');
    expect(formatAge(NOW + DAY, NOW, { days: true })).toBe('today');
    expect(formatAge(NOW - DAY - MIN, NOW, { days: true })).toBe('yesterday');
    expect(formatAge(NOW - 31 * DAY, NOW, { days: true })).toBe('31 days ago');
  });
});

describe('formatDate', () => {
  it('writes UTC to the minute, or to the second when asked', () => {
    expect(formatDate(Date.UTC(2026, 10, 20, 12, 0, 5))).toBe('2026-11-20 12:00 UTC');
    expect(formatDate('2026-11-20T13:00:05+01:00', { seconds: true })).toBe('2026-11-20 12:00:05 UTC');
    expect(formatDate(undefined)).toBe('—');
    expect(formatDate('nonsense')).toBe('—');
  });

  it('writes the day alone, or the time of day of a log line', () => {
    expect(formatDate(Date.UTC(2026, 10, 20, 23, 59, 5), { part: 'day' })).toBe('2026-11-20');
    expect(formatDate('2026-11-20T13:00:05+01:00', { part: 'time' })).toBe('12:00:05');
  });
});
