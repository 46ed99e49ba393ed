import { formatMb } from './format';

/** Used / total with the free share, coloured like Sunstone's thresholds (33 / 66 %). */
export function CapacityBar({ usedMb, totalMb, testId }: { usedMb: number; totalMb: number; testId?: string }) {
  if (totalMb <= 0) return <span className="text-xs text-slate-500">not monitored yet</span>;
  const pct = Math.min(100, Math.max(0, (usedMb / totalMb) * 100));
  const free = 100 - pct;
  const colour = pct >= 66 ? 'bg-red-500' : pct >= 33 ? 'bg-amber-500' : 'bg-emerald-500';
  return (
    <div className="min-w-40" data-testid={testId}>
      <div
        className="h-2 overflow-hidden rounded bg-slate-200 dark:bg-slate-700"
        role="meter"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(pct)}
        aria-label="Used capacity"
      >
        <div className={`h-full ${colour}`} style={{ width: `${pct}%` }} />
      </div>
      <p className="mt-0.5 text-xs text-slate-600 tabular-nums dark:text-slate-400">
        {formatMb(usedMb)} / {formatMb(totalMb)} · {free.toFixed(0)}% free
      </p>
    </div>
  );
}
