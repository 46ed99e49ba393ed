'use client';

import {
  flexRender,
  getCoreRowModel,
  getFilteredRowModel,
  getSortedRowModel,
  useReactTable,
  type ColumnDef,
  type SortingState,
} from '@tanstack/react-table';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef, useState, type ReactNode } from 'react';

// A Sunstone-like table: sortable columns, a search box, and (for thousands of rows) virtualized
// rendering so only the visible rows are in the DOM.

export type DataTableProps<T> = {
  data: T[];
  columns: ColumnDef<T, unknown>[];
  initialSorting?: SortingState;
  searchPlaceholder?: string;
  /** Virtualize rows (fixed height); the table scrolls within `maxHeight`. */
  virtualize?: boolean;
  rowHeight?: number;
  maxHeight?: number;
  rowTestId?: (row: T) => string;
  rowClassName?: (row: T) => string;
  empty?: ReactNode;
  toolbar?: ReactNode;
  testId?: string;
};

export function DataTable<T>({
  data,
  columns,
  initialSorting = [],
  searchPlaceholder = 'Search…',
  virtualize = false,
  rowHeight = 40,
  maxHeight = 640,
  rowTestId,
  rowClassName,
  empty = 'Nothing to show.',
  toolbar,
  testId,
}: DataTableProps<T>) {
  const [sorting, setSorting] = useState<SortingState>(initialSorting);
  const [globalFilter, setGlobalFilter] = useState('');
  // TanStack Table returns functions the React Compiler must not memoize.
  // eslint-disable-next-line react-hooks/incompatible-library
  const table = useReactTable({
    data,
    columns,
    state: { sorting, globalFilter },
    onSortingChange: setSorting,
    onGlobalFilterChange: setGlobalFilter,
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: getSortedRowModel(),
    getFilteredRowModel: getFilteredRowModel(),
    globalFilterFn: 'includesString',
  });
  const rows = table.getRowModel().rows;
  const scrollRef = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: virtualize ? rows.length : 0,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan: 12,
  });
  const items = virtualize ? virtualizer.getVirtualItems() : [];
  const padTop = items[0]?.start ?? 0;
  const padBottom = virtualize ? virtualizer.getTotalSize() - (items.at(-1)?.end ?? 0) : 0;
  const visibleRows = virtualize ? items.map((i) => rows[i.index]!) : rows;
  const columnCount = table.getVisibleLeafColumns().length;

  return (
    <div data-testid={testId}>
      <div className="flex flex-wrap items-center gap-3 border-b border-slate-200 px-4 py-2 dark:border-slate-800">
        <input
          type="search"
          value={globalFilter}
          onChange={(e) => setGlobalFilter(e.target.value)}
          placeholder={searchPlaceholder}
          aria-label="Search the table"
          className="h-8 w-64 rounded-md border border-slate-300 bg-white px-2.5 text-sm dark:border-slate-700 dark:bg-slate-950"
        />
        <span className="text-xs text-slate-500 tabular-nums" data-testid={testId ? `${testId}-count` : undefined}>
          {rows.length} of {data.length}
        </span>
        {toolbar}
      </div>
      <div ref={scrollRef} className="overflow-auto" style={virtualize ? { maxHeight } : undefined}>
        <table className="min-w-full text-sm">
          <thead className="sticky top-0 z-10 bg-slate-50 text-left text-xs uppercase tracking-wide text-slate-500 dark:bg-slate-800 dark:text-slate-400">
            {table.getHeaderGroups().map((hg) => (
              <tr key={hg.id}>
                {hg.headers.map((h) => {
                  const sorted = h.column.getIsSorted();
                  return (
                    <th
                      key={h.id}
                      className="px-3 py-2 font-semibold whitespace-nowrap"
                      aria-sort={sorted === 'asc' ? 'ascending' : sorted === 'desc' ? 'descending' : undefined}
                    >
                      {h.isPlaceholder ? null : h.column.getCanSort() ? (
                        <button
                          type="button"
                          onClick={h.column.getToggleSortingHandler()}
                          className="inline-flex items-center gap-1 uppercase hover:text-slate-900 dark:hover:text-slate-100"
                        >
                          {flexRender(h.column.columnDef.header, h.getContext())}
                          <span aria-hidden>{sorted === 'asc' ? '▲' : sorted === 'desc' ? '▼' : '↕'}</span>
                        </button>
                      ) : (
                        flexRender(h.column.columnDef.header, h.getContext())
                      )}
                    </th>
                  );
                })}
              </tr>
            ))}
          </thead>
          <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
            {padTop > 0 && (
              <tr aria-hidden>
                <td colSpan={columnCount} style={{ height: padTop, padding: 0 }} />
              </tr>
            )}
            {visibleRows.map((row) => (
              <tr
                key={row.id}
                data-testid={rowTestId?.(row.original)}
                className={`hover:bg-slate-50 dark:hover:bg-slate-800/40 ${rowClassName?.(row.original) ?? ''}`}
                style={virtualize ? { height: rowHeight } : undefined}
              >
                {row.getVisibleCells().map((cell) => (
                  <td key={cell.id} className="px-3 py-2 align-middle">
                    {flexRender(cell.column.columnDef.cell, cell.getContext())}
                  </td>
                ))}
              </tr>
            ))}
            {padBottom > 0 && (
              <tr aria-hidden>
                <td colSpan={columnCount} style={{ height: padBottom, padding: 0 }} />
              </tr>
            )}
            {rows.length === 0 && (
              <tr>
                <td colSpan={columnCount} className="px-3 py-8 text-center text-slate-500">
                  {empty}
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </div>
  );
}
