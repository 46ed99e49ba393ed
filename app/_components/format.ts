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

/** "3 days ago", "in 2 hours" (relative to `now`). */
export function formatAge(iso: string | number | undefined, now = Date.now()): string {
  if (iso === undefined) return '—';
  const t = typeof iso === 'number' ? iso : Date.parse(iso);
  if (!Number.isFinite(t)) return '—';
  const diff = now - t;
  const abs = Math.abs(diff);
  const steps: [number, string][] = [
    [365 * 86_400_000, 'year'],
    [30 * 86_400_000, 'month'],
    [7 * 86_400_000, 'week'],
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
  ];
  for (const [ms, unit] of steps) {
    if (abs >= ms) {
      const n = Math.floor(abs / ms);
      const s = `${n} ${unit}${n === 1 ? '' : 's'}`;
      return diff >= 0 ? `${s} ago` : `in ${s}`;
    }
  }
  return 'just now';
}

/** "2026-11-20 12:00" in UTC, unambiguous for admins in different time zones. */
export function formatDate(iso: string | number | undefined): string {
  if (iso === undefined) return '—';
  const d = new Date(typeof iso === 'number' ? iso : Date.parse(iso));
  return Number.isNaN(d.getTime()) ? '—' : `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
