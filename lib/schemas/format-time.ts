// THE date formatter and THE relative-time formatter of Backstone, for lib (reasons, attention
// titles) and app (pages and client components) alike: pure functions, no server code, so they live
// beside the shared schemas that client components may import.

const toMs = (at: string | number): number => (typeof at === 'number' ? at : Date.parse(at));

// English on purpose, like the rest of the UI: a locale taken from the server or the browser would
// make the server's HTML and the browser's first render disagree. 'always' keeps "1 day ago"
// rather than "yesterday", which reads oddly next to "3 days ago" in a column.
const RELATIVE = new Intl.RelativeTimeFormat('en', { numeric: 'always' });
// In whole days ("today", "yesterday", "31 days ago"): for sentences, not columns.
const RELATIVE_DAYS = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });
const DAY_MS = 86_400_000;
const AGE_UNITS: [number, Intl.RelativeTimeFormatUnit][] = [
  [365 * DAY_MS, 'year'],
  [30 * DAY_MS, 'month'],
  [7 * DAY_MS, 'week'],
  [DAY_MS, 'day'],
  [3_600_000, 'hour'],
  [60_000, 'minute'],
];

/**
 * "3 days ago", "in 2 hours" (relative to `now`, in the largest whole unit); "just now" within a
 * minute. With `{ days: true }`: whole days past, "today", "yesterday", "31 days ago".
 */
export function formatAge(at: string | number | undefined, now = Date.now(), opts: { days?: boolean } = {}): string {
  if (at === undefined) return '—';
  const t = toMs(at);
  if (!Number.isFinite(t)) return '—';
  const diff = t - now;
  if (opts.days) return RELATIVE_DAYS.format(-Math.max(0, Math.floor(-diff / DAY_MS)), 'day');
  const unit = AGE_UNITS.find(([ms]) => Math.abs(diff) >= ms);
  if (!unit) return 'just now';
  const [ms, name] = unit;
  return RELATIVE.format(Math.trunc(diff / ms), name);
}

/**
 * "2026-11-20 12:00 UTC" (with `seconds`: "2026-11-20 12:00:05 UTC"; `part: 'day'`: "2026-11-20";
 * `part: 'time'`: "12:00:05", the time of day of a log line): UTC, unambiguous for admins in
 * different time zones. The ISO string already has these shapes.
 */
export function formatDate(
  at: string | number | undefined,
  opts: { seconds?: boolean; part?: 'day' | 'time' } = {},
): string {
  if (at === undefined) return '—';
  const d = new Date(toMs(at));
  if (Number.isNaN(d.getTime())) return '—';
  const iso = d.toISOString();
  if (opts.part === 'day') return iso.slice(0, 10);
  if (opts.part === 'time') return iso.slice(11, 19);
  return `${iso.slice(0, opts.seconds ? 19 : 16).replace('T', ' ')} UTC`;
}
