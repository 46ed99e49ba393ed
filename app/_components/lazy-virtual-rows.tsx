'use client';

import { lazy, Suspense, useSyncExternalStore, type ComponentType } from 'react';
import type { RowsProps } from './data-table';

// VirtualRows for large tables whose virtualizer code loads after the page's own (the VMs and
// snapshots tables). The server and hydration draw the first rows plainly; the virtualizer mounts
// only once the page is hydrated, so it finds its scroll area on mount, and the server never
// streams it: a lazy boundary that resolved mid-stream was sent twice (the plain rows, then the
// virtualizer's in a hidden segment a script swaps in), every row in the page twice until then.

/** A screen of rows at the tables' row heights (VIEWPORT / ROW_HEIGHT), drawn before the virtualizer. */
const FIRST_ROWS = 16;

const VirtualRows = lazy(() => import('./virtual-rows').then((m) => ({ default: m.VirtualRows })));

const noSubscription = () => () => undefined;

/** false on the server and while hydrating, true once the page is hydrated. */
function useHydrated(): boolean {
  return useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
}

export function LazyVirtualRows<T>(p: RowsProps<T>) {
  const hydrated = useHydrated();
  const first = <>{p.rows.slice(0, FIRST_ROWS).map((row) => p.renderRow(row, p.rowHeight))}</>;
  if (!hydrated) return first;
  // lazy() loses the row type parameter; the props are the same.
  const Rows = VirtualRows as ComponentType<RowsProps<T>>;
  return (
    <Suspense fallback={first}>
      <Rows {...p} />
    </Suspense>
  );
}
