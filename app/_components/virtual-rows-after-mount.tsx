'use client';

import { useLayoutEffect, useState } from 'react';
import type { RowsProps } from './data-table';
import { VirtualRows } from './virtual-rows';

// VirtualRows for large tables drawn by the server (the VMs and snapshots tables). The server and
// hydration draw the first rows plainly, with a spacer for the rest; the virtualizer mounts in the
// render that follows the table's first commit, once the scroll area's ref is set (a ref of an
// enclosing element is set only after its children's layout effects ran), and from the place the
// area was already scrolled to. That render is synchronous, so nothing can scroll between the
// virtualizer reading the position and applying it. Earlier the virtualizer was a lazy component:
// resolved mid-stream, the server sent every row twice (the plain rows, then the virtualizer's in a
// hidden segment a script swaps in), and its deferred mount could scroll the area back to the top.

/** A screen of rows at the tables' row heights (VIEWPORT / ROW_HEIGHT), drawn before the virtualizer. */
const FIRST_ROWS = 16;

/**
 * The first rows, and below them a spacer as tall as the rest: the scroll area has the table's whole
 * height before the virtualizer runs, so a scroll made meanwhile (to the end, say) is where the
 * virtualizer draws once it mounts.
 */
function FirstRows<T>({ rows, rowHeight, columnCount, renderRow }: RowsProps<T>) {
  const shown = rows.slice(0, FIRST_ROWS);
  const below = (rows.length - shown.length) * rowHeight;
  return (
    <>
      {shown.map((row) => renderRow(row, rowHeight))}
      {below > 0 && (
        <tr aria-hidden>
          <td colSpan={columnCount} style={{ height: below, padding: 0 }} />
        </tr>
      )}
    </>
  );
}

export function VirtualRowsAfterMount<T>(p: RowsProps<T>) {
  const [mounted, setMounted] = useState(false);
  // The one render this cascades is the point: a state set in a layout effect renders again
  // synchronously, right after the commit that set the scroll area's ref.
  // eslint-disable-next-line react-hooks/set-state-in-effect
  useLayoutEffect(() => setMounted(true), []);
  return mounted ? <VirtualRows {...p} /> : <FirstRows {...p} />;
}
