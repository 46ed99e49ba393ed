'use client';

import { useState } from 'react';
import { defaultPair } from '@/lib/schemas/snapshot-pair';
import { formatDate } from '@/app/_components/format';

export type SnapshotChoice = { id: string; shortId: string; time: string; vmId?: number };

/** The VM filter's value for "every VM" (a select's value is a string). */
const ANY_VM = 'any';

const vmKey = (vmId: number | undefined) => (vmId === undefined ? 'none' : String(vmId));

/**
 * Two snapshots of one repository to compare: a plain GET form (works without JavaScript). A Backup
 * Job's repository holds several VMs' snapshots: only those of one VM are offered (the one of
 * `from`/`to`, else of the newest pair), and the default pair is never two VMs.
 */
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
  const sorted = [...snapshots].sort((a, b) => Date.parse(a.time) - Date.parse(b.time));
  const vms = [...new Set(sorted.map((s) => vmKey(s.vmId)))];
  const given = (from !== undefined && to !== undefined) || undefined;
  const initial = given ? { from, to } : defaultPair(sorted);
  const vmsOfPair = new Set(
    sorted.filter((s) => s.id === initial.from || s.id === initial.to).map((s) => vmKey(s.vmId)),
  );
  // A pair of two VMs (asked for by URL) keeps both on offer.
  const [scope, setScope] = useState(vms.length > 1 && vmsOfPair.size === 1 ? [...vmsOfPair][0]! : ANY_VM);
  const [pair, setPair] = useState<{ from?: string; to?: string }>(initial);
  const offered = scope === ANY_VM ? sorted : sorted.filter((s) => vmKey(s.vmId) === scope);
  const choose = (next: string) => {
    setScope(next);
    if (next === ANY_VM) return;
    const mine = sorted.filter((s) => vmKey(s.vmId) === next);
    const p = defaultPair(mine);
    setPair(p.from ? p : { from: mine[0]?.id, to: mine[0]?.id });
  };
  const select =
    'rounded border border-slate-300 bg-white px-2 py-1 font-mono text-xs dark:border-slate-700 dark:bg-slate-900';
  const options = offered.map((s) => (
    <option key={s.id} value={s.id}>
      {s.shortId} · {formatDate(s.time)}
      {scope === ANY_VM && vms.length > 1 && s.vmId !== undefined ? ` · VM ${s.vmId}` : ''}
    </option>
  ));
  return (
    <form
      action={action}
      method="get"
      className="flex flex-wrap items-center gap-2 px-4 py-3 text-sm"
      data-testid="compare-form"
    >
      {vms.length > 1 && (
        <label className="flex items-center gap-1">
          VM
          {/* No name: the VM only narrows the choices, it is not part of the query. */}
          <select value={scope} onChange={(e) => choose(e.target.value)} className={select} aria-label="VM">
            {vms.map((v) => (
              <option key={v} value={v}>
                {v === 'none' ? 'no VM named' : v}
              </option>
            ))}
            <option value={ANY_VM}>every VM</option>
          </select>
        </label>
      )}
      <label className="flex items-center gap-1">
        From
        <select
          name="from"
          value={pair.from ?? ''}
          onChange={(e) => setPair((p) => ({ ...p, from: e.target.value }))}
          className={select}
          aria-label="Older snapshot"
        >
          {options}
        </select>
      </label>
      <label className="flex items-center gap-1">
        to
        <select
          name="to"
          value={pair.to ?? ''}
          onChange={(e) => setPair((p) => ({ ...p, to: e.target.value }))}
          className={select}
          aria-label="Newer snapshot"
        >
          {options}
        </select>
      </label>
      <button
        type="submit"
        className="rounded bg-brand-600 px-3 py-1 text-sm font-medium text-white hover:opacity-90"
        disabled={offered.length < 2}
      >
        Compare two snapshots
      </button>
      {vms.length > 1 && (
        <p className="w-full text-xs text-slate-500" data-testid="compare-scope">
          {scope === ANY_VM
            ? `Offering the snapshots of all ${vms.length} VMs of this repository: a pair of two VMs compares different machines.`
            : `Offering only the snapshots of VM ${scope === 'none' ? '(none named)' : scope}: this repository holds the backups of ${vms.length} VMs.`}
        </p>
      )}
      {offered.length < 2 && scope !== ANY_VM && (
        <p className="w-full text-xs text-slate-500">This VM has a single snapshot here: nothing to compare it with.</p>
      )}
    </form>
  );
}
