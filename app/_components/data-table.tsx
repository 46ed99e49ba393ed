'use client';

import {
  flexRender,
  getCoreRowModel,
  getFilteredRowModel,
  getSortedRowModel,
  useReactTable,
  type ColumnDef,
  type Row,
  type SortingState,
} from '@tanstack/react-table';
import { useRef, useState, type ComponentType, type ReactNode, type RefObject } from 'react';
import { BodyRow, TableFrame, type HeaderCell } from './table-frame';

// A Sunstone-like table: sortable columns, a search box, and (for thousands of rows) virtualized
// rendering so only the visible rows are in the DOM. The virtualizer lives in virtual-rows.tsx and
// is passed in by the tables that need it, so the others' pages do not carry its code.

/** Renders the body rows: all of them (AllRows), or only those in view (virtual-rows.tsx). */
export type RowsProps<T> = {
  rows: Row<T>[];
  columnCount: number;
  rowHeight: number;
  /** The scroll area's height before the browser has measured it (server rendering, hydration). */
  viewportHeight: number;
  scrollRef: RefObject<HTMLDivElement | null>;
  renderRow: (row: Row<T>, height?: number) => ReactNode;
};

function AllRows<T>({ rows, renderRow }: RowsProps<T>) {
  return <>{rows.map((row) => renderRow(row))}</>;
}

export type DataTableProps<T> = {
  data: T[];
  columns: ColumnDef<T, unknown>[];
  initialSorting?: SortingState;
  searchPlaceholder?: string;
  /** VirtualRows to render only the rows in view (fixed height); the table then scrolls within `maxHeight`. */
  rowsComponent?: ComponentType<RowsProps<T>>;
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
  rowsComponent,
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
  const columnCount = table.getVisibleLeafColumns().length;
  const Rows = rowsComponent ?? AllRows;
  const renderRow = (row: Row<T>, height?: number) => (
    <BodyRow
      key={row.id}
      row={row}
      height={height}
      testId={rowTestId?.(row.original)}
      className={rowClassName?.(row.original)}
    />
  );
  const headerRows: HeaderCell[][] = table.getHeaderGroups().map((hg) =>
    hg.headers.map((h) => {
      const toggle = !h.isPlaceholder && h.column.getCanSort() ? h.column.getToggleSortingHandler() : undefined;
      return {
        id: h.id,
        label: h.isPlaceholder ? null : flexRender(h.column.columnDef.header, h.getContext()),
        sorted: h.column.getIsSorted(),
        sort: toggle ? { onClick: toggle } : undefined,
      };
    }),
  );

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
      <TableFrame
        headerRows={headerRows}
        columnCount={columnCount}
        scrollRef={scrollRef}
        maxHeight={rowsComponent ? maxHeight : undefined}
        empty={rows.length === 0 ? empty : undefined}
      >
        <Rows
          rows={rows}
          columnCount={columnCount}
          rowHeight={rowHeight}
          viewportHeight={maxHeight}
          scrollRef={scrollRef}
          renderRow={renderRow}
        />
      </TableFrame>
    </div>
  );
}
