'use client';

import { getCoreRowModel, useReactTable, type ColumnDef } from '@tanstack/react-table';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useRef, useState, type ReactNode } from 'react';
import type { ProtectionCounts, VmProtection } from '@/lib/protection';
import { PROTECTION_STATUSES, vmsQueryString, type VmSortKey, type VmsQuery } from '@/lib/schemas/vms';
import { ProtectionBadge, STATUS_WORDS } from './protection-badge';
import { BodyRow, TableFrame } from '@/app/_components/table-frame';
import { formatAge, formatDate, formatMb } from '@/app/_components/format';
import { SIZE_TERMS } from '@/app/_components/size-terms';
import { VirtualRowsAfterMount } from '@/app/_components/virtual-rows-after-mount';

// The VMs list: the server filtered and sorted the rows (search parameters); only the rows in view
// are in the DOM, so thousands of VMs stay light.

const ROW_HEIGHT = 44;
const VIEWPORT = 640;

const COUNT_OF: Record<VmProtection['status'], keyof ProtectionCounts> = {
  protected: 'protected',
  overdue: 'overdue',
  never: 'never',
  failed: 'failed',
  'backing-up': 'backingUp',
};

function stateLabel(r: VmProtection): string {
  return r.state === 'ACTIVE' ? r.lcmState : r.state;
}

function configWords(r: VmProtection): string {
  const parts = [
    r.mode ?? 'FULL',
    r.mode === 'INCREMENT' ? (r.incrementMode ?? 'CBT') : undefined,
    r.keepLast ? `keep ${r.keepLast}` : undefined,
    r.fsFreeze && r.fsFreeze !== 'NONE' ? `freeze ${r.fsFreeze}` : undefined,
    r.backupVolatile ? 'volatile' : undefined,
  ];
  return parts.filter(Boolean).join(' · ');
}

const Cell = ({ children, title }: { children: ReactNode; title?: string }) => (
  <div className="max-w-64 truncate whitespace-nowrap" title={title}>
    {children}
  </div>
);

function columns(now: number): { key: VmSortKey; header: string; def: ColumnDef<VmProtection, unknown> }[] {
  const col = (key: VmSortKey, header: string, cell: (r: VmProtection) => ReactNode) => ({
    key,
    header,
    def: { id: key, header, cell: ({ row }) => cell(row.original) } satisfies ColumnDef<VmProtection, unknown>,
  });
  return [
    col('status', 'Status', (r) => <ProtectionBadge status={r.status} reason={r.reason} />),
    col('id', 'ID', (r) => <span className="tabular-nums text-slate-500">{r.id}</span>),
    col('name', 'Name', (r) => (
      <Cell title={r.name}>
        <Link
          href={`/vms/${r.id}`}
          prefetch={false}
          className="font-medium text-sky-700 hover:underline dark:text-sky-400"
        >
          {r.name}
        </Link>
      </Cell>
    )),
    col('owner', 'Owner', (r) => <Cell title={`${r.uname} (${r.gname})`}>{r.uname}</Cell>),
    col('state', 'State', (r) => <span className="text-xs">{stateLabel(r)}</span>),
    col('datastore', 'Datastore', (r) => (
      <Cell title={r.datastores.map((d) => `${d.name} (#${d.id})`).join(', ')}>
        {r.datastores.length ? r.datastores.map((d) => d.name).join(', ') : '—'}
      </Cell>
    )),
    col('mode', 'Backup config', (r) => <Cell title={configWords(r)}>{configWords(r)}</Cell>),
    col('job', 'Job / schedule', (r) => {
      const job = r.job ? (r.job.name ? `${r.job.name} (#${r.job.id})` : `Backup Job #${r.job.id}`) : undefined;
      const words = [job, r.schedule].filter(Boolean).join(': ') || '—';
      const next = r.nextRunAt ? ` Next run ${formatDate(r.nextRunAt * 1000)}.` : '';
      return <Cell title={`${words}.${next}`}>{words}</Cell>;
    }),
    col('lastBackup', 'Last backup', (r) =>
      r.lastBackupAt === undefined ? (
        '—'
      ) : (
        <span title={formatDate(r.lastBackupAt * 1000)} className="whitespace-nowrap">
          {formatAge(r.lastBackupAt * 1000, now)}
        </span>
      ),
    ),
    col('size', SIZE_TERMS.snapshotSize.label, (r) => (
      <span className="whitespace-nowrap tabular-nums" title={SIZE_TERMS.snapshotSize.hint}>
        {r.lastBackupSizeMb === undefined ? '—' : formatMb(r.lastBackupSizeMb)}
      </span>
    )),
    col('chain', 'Chain', (r) => <span className="tabular-nums">{r.chainLength ? r.chainLength : '—'}</span>),
  ];
}

export function VmsTable({
  rows,
  counts,
  query,
  now,
}: {
  rows: VmProtection[];
  counts: ProtectionCounts;
  query: VmsQuery;
  now: number;
}) {
  const router = useRouter();
  const [text, setText] = useState(query.q);
  const scrollRef = useRef<HTMLDivElement>(null);
  const cols = columns(now);
  // TanStack Table returns functions the React Compiler must not memoize.
  // eslint-disable-next-line react-hooks/incompatible-library
  const table = useReactTable({
    data: rows,
    columns: cols.map((c) => c.def),
    getCoreRowModel: getCoreRowModel(),
    getRowId: (r) => String(r.id),
  });
  const href = (patch: Partial<VmsQuery>) => `/vms${vmsQueryString({ ...query, ...patch })}`;
  const sortHref = (key: VmSortKey) =>
    href({ sort: key, dir: query.sort === key && query.dir === 'asc' ? 'desc' : 'asc' });
  const chip = (status: VmsQuery['status'], label: string, count: number) => {
    const active = query.status === status;
    return (
      <Link
        key={status}
        href={href({ status })}
        data-testid={`vms-filter-${status}`}
        aria-current={active ? 'true' : undefined}
        className={`rounded-full border px-2.5 py-0.5 text-xs whitespace-nowrap ${
          active
            ? 'border-sky-600 bg-sky-600 text-white dark:border-sky-500 dark:bg-sky-600'
            : 'border-slate-300 hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800'
        }`}
      >
        {label}{' '}
        <span className="tabular-nums" data-testid={`vms-count-${status}`}>
          {count}
        </span>
      </Link>
    );
  };
  const tableRows = table.getRowModel().rows;

  return (
    <div data-testid="vms-table">
      <div className="flex flex-wrap items-center gap-2 border-b border-slate-200 px-4 py-2 dark:border-slate-800">
        {chip('all', 'All', counts.total)}
        {PROTECTION_STATUSES.map((s) => chip(s, STATUS_WORDS[s].label, counts[COUNT_OF[s]]))}
        <form
          className="ml-auto flex items-center gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            router.push(href({ q: text.trim() }));
          }}
        >
          <input
            type="search"
            name="q"
            value={text}
            onChange={(e) => setText(e.target.value)}
            maxLength={200}
            placeholder="Name, owner or ID…"
            aria-label="Filter VMs by name, owner or ID"
            className="h-8 w-56 rounded-md border border-slate-300 bg-white px-2.5 text-sm dark:border-slate-700 dark:bg-slate-950"
          />
          <button
            type="submit"
            className="h-8 rounded-md border border-slate-300 px-3 text-sm hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800"
          >
            Filter
          </button>
        </form>
        <span className="text-xs text-slate-500 tabular-nums" data-testid="vms-shown">
          {rows.length} of {counts.total}
        </span>
      </div>
      <TableFrame
        headerRows={[
          cols.map((c) => ({
            id: c.key,
            label: c.header,
            sorted: query.sort === c.key ? query.dir : false,
            sort: { href: sortHref(c.key), testId: `vms-sort-${c.key}` },
          })),
        ]}
        columnCount={cols.length}
        scrollRef={scrollRef}
        maxHeight={VIEWPORT}
        empty={
          rows.length > 0
            ? undefined
            : counts.total === 0
              ? 'OpenNebula shows you no VMs.'
              : 'No VM matches these filters.'
        }
      >
        <VirtualRowsAfterMount
          rows={tableRows}
          columnCount={cols.length}
          rowHeight={ROW_HEIGHT}
          viewportHeight={VIEWPORT}
          scrollRef={scrollRef}
          renderRow={(row, height) => (
            <BodyRow
              key={row.id}
              row={row}
              height={height}
              testId={`vm-row-${row.original.id}`}
              data={{ 'data-status': row.original.status }}
            />
          )}
        />
      </TableFrame>
    </div>
  );
}
