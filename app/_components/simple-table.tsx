import { Fragment, type ReactNode } from 'react';

// A plain, server-rendered table for the short lists of a page (a snapshot's files, a repository's
// locks, the audit log): no search, no sorting, no client code. Long lists that want those use
// DataTable. It renders in server and client components alike, so its cells may be functions.

export type SimpleColumn<T> = {
  /** Left out on every column: the table has no header row (a key/value list). */
  header?: ReactNode;
  /** A hint on the header. */
  title?: string;
  align?: 'right';
  className?: string;
  cell: (row: T) => ReactNode;
  testId?: (row: T) => string;
};

type DataAttributes = Record<`data-${string}`, string>;

const VARIANT = {
  // Rows of a panel or page: a shaded header, padded cells.
  panel: {
    thead: 'bg-slate-50 text-xs tracking-wide text-slate-500 uppercase dark:bg-slate-800/50 dark:text-slate-400',
    cell: 'px-4 py-2 align-top',
  },
  // Inside a form or a card: tight rows that line up with the text around them.
  compact: { thead: 'text-xs text-slate-500 uppercase', cell: 'py-1 pr-3 align-top' },
} as const;

export function SimpleTable<T>({
  rows,
  columns,
  rowKey,
  rowTestId,
  rowData,
  detail,
  empty,
  testId,
  variant = 'panel',
  className = 'text-sm',
}: {
  rows: readonly T[];
  columns: SimpleColumn<T>[];
  /** The row's React key; by default its position (these tables are rendered whole, never reordered). */
  rowKey?: (row: T) => string | number;
  rowTestId?: (row: T) => string;
  /** data-* attributes of a row (what the e2e specs read). */
  rowData?: (row: T) => DataAttributes;
  /** A full-width row under a row, when this returns something. */
  detail?: (row: T) => ReactNode;
  /** Shown in one row when there are no rows; nothing when left out. */
  empty?: ReactNode;
  testId?: string;
  variant?: keyof typeof VARIANT;
  className?: string;
}) {
  const v = VARIANT[variant];
  const cell = (c: SimpleColumn<T>) =>
    [v.cell, c.align === 'right' ? 'text-right tabular-nums' : '', c.className ?? ''].filter(Boolean).join(' ');
  return (
    <div className="overflow-x-auto">
      <table className={`w-full text-left ${className}`} data-testid={testId}>
        {columns.some((c) => c.header !== undefined) && (
          <thead className={v.thead}>
            <tr>
              {columns.map((c, i) => (
                <th
                  key={i}
                  title={c.title}
                  className={`${v.cell} font-semibold whitespace-nowrap ${c.align === 'right' ? 'text-right' : ''}`}
                >
                  {c.header}
                </th>
              ))}
            </tr>
          </thead>
        )}
        <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
          {rows.map((row, index) => {
            const more = detail?.(row);
            return (
              <Fragment key={rowKey?.(row) ?? index}>
                <tr data-testid={rowTestId?.(row)} {...rowData?.(row)}>
                  {columns.map((c, i) => (
                    <td key={i} className={cell(c)} data-testid={c.testId?.(row)}>
                      {c.cell(row)}
                    </td>
                  ))}
                </tr>
                {more ? (
                  <tr>
                    <td colSpan={columns.length} className="px-4 pb-3">
                      {more}
                    </td>
                  </tr>
                ) : null}
              </Fragment>
            );
          })}
          {rows.length === 0 && empty !== undefined && <EmptyRow colSpan={columns.length}>{empty}</EmptyRow>}
        </tbody>
      </table>
    </div>
  );
}

/** The one row of a table with nothing to show (DataTable's too). */
export function EmptyRow({ colSpan, children }: { colSpan: number; children: ReactNode }) {
  return (
    <tr>
      <td colSpan={colSpan} className="px-3 py-8 text-center text-slate-500">
        {children}
      </td>
    </tr>
  );
}
