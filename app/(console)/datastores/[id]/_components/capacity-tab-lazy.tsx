'use client';

import { lazy, Suspense } from 'react';

// The Capacity tab's code (and, inside it, the chart's) loads only when that tab is shown: the
// repositories view, the page's first tab, does not need it. A client module, because a lazy import
// in a Server Component does not split the code; React.lazy rather than next/dynamic, whose loader
// would otherwise join the page's own JavaScript.
const CapacityTab = lazy(() => import('./capacity-tab').then((m) => ({ default: m.CapacityTab })));

export function LazyCapacityTab({ datastoreId }: { datastoreId: number }) {
  return (
    <Suspense fallback={<div className="h-64 animate-pulse rounded bg-slate-100 dark:bg-slate-800" />}>
      <CapacityTab datastoreId={datastoreId} />
    </Suspense>
  );
}
