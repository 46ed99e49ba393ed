import { formatMb } from './format';

type Props = {
  usedMb: number;
  /** What is still available to write (df's "available", OpenNebula's FREE_MB). */
  freeMb: number;
  totalMb: number;
  /** Where the figures come from, named under the bar ("df on the backup server", ...). */
  source: string;
  testId?: string;
};

/**
 * Used / total with the free share, coloured like Sunstone's thresholds (33 / 66 %). The free share
 * is the available space over the total, as `onedatastore list` shows it: used + available is less
 * than the total on most file systems (blocks reserved for root), so 100 - used% overstates it.
 */
export function CapacityBar({ usedMb, freeMb, totalMb, source, testId }: Props) {
  if (totalMb <= 0) return <span className="text-xs text-slate-500">not monitored yet</span>;
  const free = Math.min(100, Math.max(0, (freeMb / totalMb) * 100));
  const taken = 100 - free;
  // Rounded once, so the two shares always add up to 100 in what is read out and shown.
  const freePercent = Math.round(free);
  const summary = `${100 - freePercent}% used, ${freePercent}% free`;
  const colour = taken >= 66 ? 'bg-red-500' : taken >= 33 ? 'bg-amber-500' : 'bg-emerald-500';
  return (
    <div className="min-w-40" data-testid={testId}>
      <div
        className="h-2 overflow-hidden rounded bg-slate-200 dark:bg-slate-700"
        role="meter"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={100 - freePercent}
        aria-valuetext={summary}
        aria-label={`Capacity: ${summary}`}
        title={`${formatMb(freeMb)} available of ${formatMb(totalMb)} (${source})`}
      >
        <div className={`h-full ${colour}`} style={{ width: `${taken}%` }} />
      </div>
      <p className="mt-0.5 text-xs text-slate-600 tabular-nums dark:text-slate-400">
        {formatMb(usedMb)} used · {formatMb(freeMb)} free of {formatMb(totalMb)} · {freePercent}% free
      </p>
      <p className="text-[11px] text-slate-500 dark:text-slate-400">{source}</p>
    </div>
  );
}
