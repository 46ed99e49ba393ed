'use client';

import { useQuery } from '@tanstack/react-query';
import type { DatastoreOverview } from '@/lib/catalog';

/** The overview, refreshed in the background from the route handler (the server rendered the first one). */
export function useOverview(id: number, initial: DatastoreOverview) {
  return useQuery({
    queryKey: ['datastore-overview', id],
    queryFn: async ({ signal }) => {
      const res = await fetch(`/api/datastores/${id}/overview`, { signal, cache: 'no-store' });
      if (!res.ok)
        throw new Error(((await res.json().catch(() => ({}))) as { error?: string }).error ?? `HTTP ${res.status}`);
      return (await res.json()) as DatastoreOverview;
    },
    initialData: initial,
    initialDataUpdatedAt: initial.generatedAt,
    // While restic still reads some repositories, or the server's listing (or OpenNebula's side) is stale or not read yet,
    // ask again soon: the reads go on on the server.
    refetchInterval: (query) => {
      const d = query.state.data;
      const partial = d && (d.freshness.state !== 'fresh' || (d.opennebula && d.opennebula.state !== 'fresh'));
      return (d?.pending ?? 0) > 0 || partial ? 2_000 : 60_000;
    },
    staleTime: 20_000,
  });
}
