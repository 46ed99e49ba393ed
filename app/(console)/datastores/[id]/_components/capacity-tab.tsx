'use client';

import { useQuery } from '@tanstack/react-query';
import dynamic from 'next/dynamic';
import type { CapacityReport } from '@/lib/catalog';
import { CapacityBar } from '@/app/_components/capacity-bar';
import { SIZE_TERMS } from '@/app/_components/size-terms';
import { formatBytes, formatDate } from '@/app/_components/format';
import { FreshnessNote } from '@/app/_components/freshness-note';
import { Panel } from '@/app/_components/panel';
import { SimpleTable } from '@/app/_components/simple-table';

// uPlot only loads on this tab.
const HistoryChart = dynamic(() => import('./history-chart').then((m) => m.HistoryChart), {
  ssr: false,
  loading: () => <div className="h-64 animate-pulse rounded bg-slate-100 dark:bg-slate-800" />,
});

function factor(n: number | undefined): string {
  return n === undefined || !Number.isFinite(n) ? '—' : `${n.toFixed(2)}×`;
}

export function CapacityTab({ datastoreId }: { datastoreId: number }) {
  const q = useQuery({
    queryKey: ['datastore-capacity', datastoreId],
    queryFn: async ({ signal }) => {
      const res = await fetch(`/api/datastores/${datastoreId}/capacity`, { signal, cache: 'no-store' });
      if (!res.ok)
        throw new Error(((await res.json().catch(() => ({}))) as { error?: string }).error ?? `HTTP ${res.status}`);
      return (await res.json()) as CapacityReport;
    },
    // The route answers within a bound: while ratios are pending, the listing is stale, or it was
    // still being read (503), ask again soon; the reads go on on the server.
    refetchInterval: (query) => {
      const d = query.state.data;
      const unsettled = query.state.error || (d && (d.ratios.pending.length > 0 || d.freshness.state !== 'fresh'));
      return unsettled ? 2_000 : 5 * 60_000;
    },
  });
  if (q.isPending)
    return (
      <p className="text-sm text-slate-500">
        Reading the backup server… (the first time, restic sizes up every repository)
      </p>
    );
  if (q.error && !q.data)
    return (
      <p role="alert" className="text-sm text-red-600">
        {q.error.message}
      </p>
    );
  const r = q.data;
  const fs = r.filesystem;
  const s3 = r.source === 's3-monitor';
  const e = r.estimate;
  const t = r.ratios.total;
  return (
    <div className="space-y-4">
      <FreshnessNote freshness={r.freshness} what="the capacity" now={q.dataUpdatedAt} />
      <Panel
        title={s3 ? "Now (OpenNebula's S3 monitor: backup images against TOTAL_MB)" : 'Now (df on the backup server)'}
        testId="capacity-now"
      >
        {fs ? (
          <div className="space-y-2 px-4 py-3 text-sm">
            <CapacityBar
              usedMb={fs.usedBytes / 1048576}
              freeMb={fs.availableBytes / 1048576}
              totalMb={fs.totalBytes / 1048576}
              source={s3 ? "OpenNebula's S3 monitor of the bucket" : 'df on the backup server, now'}
            />
            <p className="text-slate-600 dark:text-slate-400">
              <span data-testid="df-total">{fs.totalBytes}</span> bytes total,{' '}
              <span data-testid="df-used">{fs.usedBytes}</span> used,{' '}
              <span data-testid="df-available">{fs.availableBytes}</span> available on <code>{fs.mountPoint}</code>.
            </p>
          </div>
        ) : (
          <p className="px-4 py-3 text-sm text-slate-500">BASE_PATH does not exist on the backup server yet.</p>
        )}
      </Panel>
      <Panel title="History" testId="capacity-history">
        <div className="space-y-2 px-4 py-3">
          <p className="text-sm" data-testid="estimate-full">
            {e.kind === 'not-enough-data'
              ? `Estimated full: not enough data (${e.samples} of ${e.needed} samples; one is kept every 15 minutes the datastore is viewed).`
              : e.kind === 'never'
                ? 'Estimated full: never at the current trend (usage is not growing).'
                : `Estimated full: ${formatDate(e.at)} (growing ${formatBytes(e.bytesPerDay)} a day).`}
          </p>
          {r.history.length > 1 ? (
            <HistoryChart samples={r.history} />
          ) : (
            <p className="text-sm text-slate-500">The chart appears from the second sample on.</p>
          )}
        </div>
      </Panel>
      <Panel title="Deduplication and compression" testId="capacity-ratios">
        {t ? (
          <div className="px-4 py-3 text-sm">
            <p>
              All snapshots would restore to <strong>{formatBytes(t.restoreBytes)}</strong>; restic stores{' '}
              <strong>{formatBytes(t.rawBytes)}</strong>. Deduplication{' '}
              <strong data-testid="dedup-factor">{factor(t.dedupFactor)}</strong>
              {t.compressionFactor !== undefined ? (
                <>
                  , compression <strong data-testid="compression-factor">{factor(t.compressionFactor)}</strong>
                </>
              ) : (
                ' (this restic version does not report compression)'
              )}
              .
            </p>
            <div className="mt-3">
              <SimpleTable
                variant="compact"
                className="text-xs"
                rows={r.ratios.repositories}
                rowKey={(x) => x.name}
                columns={[
                  { header: 'Repository', className: 'font-mono', cell: (x) => x.name },
                  {
                    header: SIZE_TERMS.restoreSize.label,
                    title: SIZE_TERMS.restoreSize.hint,
                    cell: (x) => formatBytes(x.restoreBytes),
                  },
                  {
                    header: SIZE_TERMS.packedData.label,
                    title: SIZE_TERMS.packedData.hint,
                    cell: (x) => formatBytes(x.rawBytes),
                  },
                  {
                    header: 'Saving',
                    cell: (x) => factor(x.rawBytes > 0 ? x.restoreBytes / x.rawBytes : undefined),
                  },
                ]}
              />
            </div>
            {r.ratios.pending.length > 0 && (
              <p className="mt-2 text-xs text-slate-500" data-testid="capacity-pending">
                restic is still sizing up {r.ratios.pending.join(', ')}; this updates by itself.
              </p>
            )}
            {r.ratios.unavailable.length > 0 && (
              <p className="mt-2 text-xs text-amber-700">Could not read: {r.ratios.unavailable.join(', ')}.</p>
            )}
          </div>
        ) : r.ratios.pending.length > 0 ? (
          <p className="px-4 py-3 text-sm text-slate-500" data-testid="capacity-pending">
            restic is still sizing up {r.ratios.pending.join(', ')}; this updates by itself.
          </p>
        ) : (
          <p className="px-4 py-3 text-sm text-slate-500">
            No ratios: there are no snapshots yet, or only admins see them.
          </p>
        )}
      </Panel>
    </div>
  );
}
