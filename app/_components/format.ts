// Formatting for pages and client components (plain functions, no server code).

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

export function formatBytes(bytes: number | undefined): string {
  if (bytes === undefined || !Number.isFinite(bytes)) return '—';
  let v = bytes;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v.toFixed(u === 0 || v >= 100 ? 0 : 1)} ${UNITS[u]}`;
}

export function formatMb(mb: number): string {
  return formatBytes(mb * 1024 * 1024);
}

const toMs = (at: string | number): number => (typeof at === 'number' ? at : Date.parse(at));

// English on purpose, like the rest of the UI: a locale taken from the server or the browser would
// make the server's HTML and the browser's first render disagree. 'always' keeps "1 day ago"
// rather than "yesterday", which reads oddly next to "3 days ago" in a column.
const RELATIVE = new Intl.RelativeTimeFormat('en', { numeric: 'always' });
const AGE_UNITS: [number, Intl.RelativeTimeFormatUnit][] = [
  [365 * 86_400_000, 'year'],
  [30 * 86_400_000, 'month'],
  [7 * 86_400_000, 'week'],
  [86_400_000, 'day'],
  [3_600_000, 'hour'],
  [60_000, 'minute'],
];

/** "3 days ago", "in 2 hours" (relative to `now`, in the largest whole unit); "just now" within a minute. */
export function formatAge(at: string | number | undefined, now = Date.now()): string {
  if (at === undefined) return '—';
  const t = toMs(at);
  if (!Number.isFinite(t)) return '—';
  const diff = t - now;
  const unit = AGE_UNITS.find(([ms]) => Math.abs(diff) >= ms);
  if (!unit) return 'just now';
  const [ms, name] = unit;
  return RELATIVE.format(Math.trunc(diff / ms), name);
}

/**
 * "2026-11-20 12:00 UTC" (with `seconds`: "2026-11-20 12:00:05 UTC"): UTC, unambiguous for admins in
 * different time zones. The one date formatter of the UI; the ISO string already has this shape.
 */
export function formatDate(at: string | number | undefined, opts: { seconds?: boolean } = {}): string {
  if (at === undefined) return '—';
  const d = new Date(toMs(at));
  if (Number.isNaN(d.getTime())) return '—';
  return `${d
    .toISOString()
    .slice(0, opts.seconds ? 19 : 16)
    .replace('T', ' ')} UTC`;
}
