'use client';

import { useVirtualizer } from '@tanstack/react-virtual';
import type { RowsProps } from './data-table';

// For DataTable's rowsComponent: only the rows in view (plus a margin) are in the DOM; spacer
// rows above and below keep the scrollbar true to the whole table. Rows have a fixed height.
export function VirtualRows<T>({ rows, columnCount, rowHeight, viewportHeight, scrollRef, renderRow }: RowsProps<T>) {
  // TanStack Virtual returns functions the React Compiler must not memoize.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => rowHeight,
    overscan: 12,
    // Until the browser measures the scroll area (on the server and while hydrating) assume it is
    // full: the server then renders the first screen of rows into the HTML, painted before any
    // script runs, and hydration finds the same rows.
    initialRect: { width: 0, height: viewportHeight },
    // Where the scroll area already is: mounted after a scroll (its code loads once the page is
    // hydrated), the virtualizer would otherwise scroll it back to the top.
    initialOffset: () => scrollRef.current?.scrollTop ?? 0,
  });
  const items = virtualizer.getVirtualItems();
  const padTop = items[0]?.start ?? 0;
  const padBottom = virtualizer.getTotalSize() - (items.at(-1)?.end ?? 0);
  return (
    <>
      {padTop > 0 && (
        <tr aria-hidden>
          <td colSpan={columnCount} style={{ height: padTop, padding: 0 }} />
        </tr>
      )}
      {items.map((i) => renderRow(rows[i.index]!, rowHeight))}
      {padBottom > 0 && (
        <tr aria-hidden>
          <td colSpan={columnCount} style={{ height: padBottom, padding: 0 }} />
        </tr>
      )}
    </>
  );
}
