import { formatDate } from '../../../../../../../_components/format';

export type SnapshotChoice = { id: string; shortId: string; time: string };

/** Two snapshots of one repository to compare: a plain GET form (works without JavaScript). */
export function CompareForm({
  action,
  snapshots,
  from,
  to,
}: {
  action: string;
  snapshots: SnapshotChoice[];
  from?: string;
  to?: string;
}) {
  const sorted = [...snapshots].sort((a, b) => a.time.localeCompare(b.time));
  const older = from ?? sorted[sorted.length - 2]?.id;
  const newer =
    to ?? sorted.find((s) => s.id !== older && s.time >= (sorted.find((x) => x.id === older)?.time ?? ''))?.id;
  const select =
    'rounded border border-slate-300 bg-white px-2 py-1 font-mono text-xs dark:border-slate-700 dark:bg-slate-900';
  return (
    <form
      action={action}
      method="get"
      className="flex flex-wrap items-center gap-2 px-4 py-3 text-sm"
      data-testid="compare-form"
    >
      <label className="flex items-center gap-1">
        From
        <select name="from" defaultValue={older} className={select} aria-label="Older snapshot">
          {sorted.map((s) => (
            <option key={s.id} value={s.id}>
              {s.shortId} · {formatDate(s.time)}
            </option>
          ))}
        </select>
      </label>
      <label className="flex items-center gap-1">
        to
        <select name="to" defaultValue={newer} className={select} aria-label="Newer snapshot">
          {sorted.map((s) => (
            <option key={s.id} value={s.id}>
              {s.shortId} · {formatDate(s.time)}
            </option>
          ))}
        </select>
      </label>
      <button
        type="submit"
        className="rounded bg-brand-600 px-3 py-1 text-sm font-medium text-white hover:opacity-90"
        disabled={sorted.length < 2}
      >
        Compare two snapshots
      </button>
    </form>
  );
}
