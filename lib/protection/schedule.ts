import type { SchedAction } from '@/lib/opennebula/models';

// A scheduled action in words and its next run, the way oned's scheduler reads SCHED_ACTION
// (src/sam/ScheduledAction.cc): TIME is when it runs next; once launched, oned sets DONE and moves a
// repeating TIME on, so a TIME not yet DONE is the run oned still owes. Pure (no clock, no I/O).

export type Schedule = Pick<SchedAction, 'time' | 'repeat' | 'days' | 'endType' | 'endValue' | 'done'>;

export const REPEAT = { once: -1, weekly: 0, monthly: 1, yearly: 2, hourly: 3 } as const;
const END = { none: -1, never: 0, afterRuns: 1, untilDate: 2 } as const;

/** Ended: no runs left (END_TYPE 1, END_VALUE <= 0) or past its end date (END_TYPE 2). */
export function scheduleEnded(sched: Schedule, now: number): boolean {
  if (sched.endType === END.afterRuns) return sched.endValue <= 0;
  if (sched.endType === END.untilDate) return now > sched.endValue;
  return false;
}

/**
 * When oned runs it next (epoch seconds): TIME while not done and not ended, else undefined. A
 * TIME in the past is a run that is due (or overdue: the scheduler has not launched it).
 */
export function nextRun(sched: Schedule, now: number): number | undefined {
  if (scheduleEnded(sched, now)) return undefined;
  if (sched.done > 0 && sched.done >= sched.time) return undefined;
  return sched.time;
}

/**
 * The longest gap between two runs, in seconds (hourly: H hours; weekly "1,5": 4 then 3 days, so
 * 4 days); undefined for a one-shot action.
 */
export function scheduleInterval(sched: Pick<Schedule, 'repeat' | 'days'>): number | undefined {
  const DAY = 86_400;
  const cyclicGap = (days: number[], period: number) => {
    const sorted = [...new Set(days)].sort((a, b) => a - b);
    if (sorted.length === 0) return undefined;
    let gap = sorted[0]! + period - sorted.at(-1)!;
    for (let i = 1; i < sorted.length; i++) gap = Math.max(gap, sorted[i]! - sorted[i - 1]!);
    return gap * DAY;
  };
  switch (sched.repeat) {
    case REPEAT.hourly: {
      const h = sched.days[0];
      return h && h > 0 ? h * 3600 : undefined;
    }
    case REPEAT.weekly:
      return cyclicGap(sched.days, 7);
    case REPEAT.monthly:
      return cyclicGap(sched.days, 31);
    case REPEAT.yearly:
      return cyclicGap(sched.days, 366);
    default:
      return undefined;
  }
}

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];

function joinWords(words: string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`;
}

function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
}

/** Wall-clock parts of an epoch in a time zone (oned keeps the time of day of its host's clock). */
function wallClock(epoch: number, timeZone: string | undefined) {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(new Date(epoch * 1000));
  const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
  return { date: `${get('year')}-${get('month')}-${get('day')}`, hm: `${get('hour')}:${get('minute')}` };
}

/** tm_yday (0 = 1 January) as a day and month, counted in a leap year so 366 days all have a name. */
function yearDay(yday: number): string {
  const d = new Date(Date.UTC(2024, 0, 1 + yday));
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}`;
}

function ending(sched: Schedule, timeZone: string | undefined): string {
  if (sched.endType === END.afterRuns)
    return sched.endValue <= 0 ? ', ended' : `, ${sched.endValue} more time${sched.endValue === 1 ? '' : 's'}`;
  if (sched.endType === END.untilDate) return `, until ${wallClock(sched.endValue, timeZone).date}`;
  return '';
}

/**
 * The schedule in words: "daily at 02:00", "every Monday and Thursday at 01:30", "hourly", "every 6
 * hours", "on the 1st and 15th of each month at 03:00", "yearly on 1 January at 00:00", "once on
 * 2026-01-17 at 02:00", with ", 3 more times" or ", until 2026-12-31" when it ends. Times of day are
 * in `timeZone` (default: this process's own zone, like oned's host).
 */
export function describeSchedule(sched: Schedule, opts: { timeZone?: string } = {}): string {
  const { date, hm } = wallClock(sched.time, opts.timeZone);
  const days = [...new Set(sched.days)].sort((a, b) => a - b);
  let words: string;
  switch (sched.repeat) {
    case REPEAT.hourly: {
      const h = days[0] ?? 0;
      words = h <= 1 ? 'hourly' : `every ${h} hours`;
      break;
    }
    case REPEAT.weekly: {
      if (days.length === 7) words = `daily at ${hm}`;
      else {
        // Monday first, as people read a week.
        const names = [...days.filter((d) => d > 0), ...days.filter((d) => d === 0)].map(
          (d) => WEEKDAYS[d] ?? `day ${d}`,
        );
        words = `every ${joinWords(names)} at ${hm}`;
      }
      break;
    }
    case REPEAT.monthly:
      words = `on the ${joinWords(days.map(ordinal))} of each month at ${hm}`;
      break;
    case REPEAT.yearly:
      words = `yearly on ${joinWords(days.map(yearDay))} at ${hm}`;
      break;
    default:
      return `once on ${date} at ${hm}`;
  }
  return words + ending(sched, opts.timeZone);
}
