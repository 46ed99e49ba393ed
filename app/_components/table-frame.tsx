import { flexRender, type Row } from '@tanstack/react-table';
import Link from 'next/link';
import type { ReactNode, RefObject } from 'react';
import { EmptyRow } from './simple-table';

// The frame of every sortable table (DataTable, sorting in the browser, and the VMs table, sorted by
// the server through links): the scroll area, the sticky header row with its sort controls, the
// body and its one row when there is nothing to show. The tables differ only in what a sort control
// does and which rows they render.

export type HeaderCell = {
  id: string;
  label: ReactNode;
  sorted?: 'asc' | 'desc' | false;
  /** A button sorting in the browser, or a link to the same page sorted by the server; none: not sortable. */
  sort?: { onClick: (event: unknown) => void } | { href: string; testId?: string };
};

const SORT_CONTROL = 'inline-flex items-center gap-1 uppercase hover:text-slate-900 dark:hover:text-slate-100';

function SortHeader({ cell }: { cell: HeaderCell }) {
  const { sorted, sort, label } = cell;
  const arrow = <span aria-hidden>{sorted === 'asc' ? '▲' : sorted === 'desc' ? '▼' : '↕'}</span>;
  return (
    <th
      className="px-3 py-2 font-semibold whitespace-nowrap"
      aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : undefined}
    >
      {sort === undefined ? (
        label
      ) : 'href' in sort ? (
        <Link href={sort.href} data-testid={sort.testId} className={SORT_CONTROL}>
          {label}
          {arrow}
        </Link>
      ) : (
        <button type="button" onClick={sort.onClick} className={SORT_CONTROL}>
          {label}
          {arrow}
        </button>
      )}
    </th>
  );
}

export function TableFrame({
  headerRows,
  columnCount,
  scrollRef,
  maxHeight,
  empty,
  children,
}: {
  headerRows: HeaderCell[][];
  columnCount: number;
  scrollRef: RefObject<HTMLDivElement | null>;
  /** The table scrolls within this height (virtualized rows); none: it grows with its rows. */
  maxHeight?: number;
  /** Shown as the body's one row when set (the table has no rows). */
  empty?: ReactNode;
  children: ReactNode;
}) {
  return (
    <div ref={scrollRef} className="overflow-auto" style={maxHeight === undefined ? undefined : { maxHeight }}>
      <table className="min-w-full text-sm">
        <thead className="sticky top-0 z-10 bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500 dark:bg-slate-800 dark:text-slate-400">
          {headerRows.map((cells, i) => (
            <tr key={i}>
              {cells.map((c) => (
                <SortHeader key={c.id} cell={c} />
              ))}
            </tr>
          ))}
        </thead>
        <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
          {children}
          {empty !== undefined && <EmptyRow colSpan={columnCount}>{empty}</EmptyRow>}
        </tbody>
      </table>
    </div>
  );
}

/** One body row of a TanStack table: its visible cells, at a fixed height when virtualized. */
export function BodyRow<T>({
  row,
  height,
  testId,
  className = '',
  data,
}: {
  row: Row<T>;
  height?: number;
  testId?: string;
  className?: string;
  data?: Record<`data-${string}`, string>;
}) {
  return (
    <tr
      data-testid={testId}
      {...data}
      className={`hover:bg-slate-50 dark:hover:bg-slate-800/40 ${className}`.trim()}
      style={height ? { height } : undefined}
    >
      {row.getVisibleCells().map((cell) => (
        <td key={cell.id} className="px-3 py-2 align-middle">
          {flexRender(cell.column.columnDef.cell, cell.getContext())}
        </td>
      ))}
    </tr>
  );
}
