import Link from 'next/link';
import { ANSWER_WITHIN_MS } from '@/lib/catalog';
import { isExpectedError } from '@/lib/errors';
import { datastoreLocks, lastChecks, type DatastoreLocks } from '@/lib/maintenance';
import { scheduleViews, staleLocks } from '@/lib/schedules';
import { maintenanceHref, locksHref } from '@/app/_components/hrefs';
import type { RepositoryRow } from '@/lib/catalog';
import { Badge } from '@/app/_components/badge';
import { FreshnessNote } from '@/app/_components/freshness-note';
import { Panel } from '@/app/_components/panel';
import { RefreshWhile } from '@/app/_components/refresh-while';
import { SimpleTable } from '@/app/_components/simple-table';
import { CheckVerdict } from '../maintenance/[repo]/_components/check-verdict';
import { LockTable } from '../maintenance/[repo]/_components/lock-table';
import { SchedulesPanel } from './schedules-panel';

async function load(datastoreId: number) {
  let locks: DatastoreLocks = { inspections: [], reading: [], freshness: { state: 'fresh', readAt: 0 } };
  let error: string | undefined;
  try {
    // What the backup server has not answered within the bound shows as stale or still reading.
    locks = await datastoreLocks(datastoreId, { answerWithinMs: ANSWER_WITHIN_MS });
  } catch (err) {
    if (!isExpectedError(err)) throw err;
    error = err.userMessage;
  }
  const now = Date.now();
  return {
    locks,
    error,
    checks: lastChecks(datastoreId),
    schedules: scheduleViews(datastoreId),
    stale: staleLocks(datastoreId, now),
    now,
  };
}

/**
 * The datastore's schedules, its Locks panel (every locked repository, inspected) and each
 * repository's upkeep.
 */
export async function MaintenanceTab({
  datastoreId,
  datastoreName,
  repositories,
}: {
  datastoreId: number;
  datastoreName: string;
  repositories: RepositoryRow[];
}) {
  const { locks, error, checks, schedules, stale, now } = await load(datastoreId);
  const locked = locks.inspections;
  const settled = locks.freshness.state === 'fresh' && locks.reading.length === 0;
  return (
    <div className="space-y-4">
      <SchedulesPanel
        datastoreId={datastoreId}
        datastoreName={datastoreName}
        schedules={schedules}
        staleLocks={stale}
        now={now}
      />
      <Panel title="Locks" testId="datastore-locks">
        {error && (
          <p role="alert" className="px-4 py-3 text-sm text-red-600">
            {error}
          </p>
        )}
        <RefreshWhile active={!error && !settled} />
        {!settled && (
          <div className="space-y-2 p-4">
            <FreshnessNote freshness={locks.freshness} what="the locks" now={now} />
            {locks.reading.length > 0 && (
              <FreshnessNote
                freshness={{ state: 'reading' }}
                what={`the locks of repositor${locks.reading.length === 1 ? 'y' : 'ies'} ${locks.reading.join(', ')}`}
                now={now}
              />
            )}
          </div>
        )}
        {!error && settled && locked.length === 0 && (
          <p className="px-4 py-3 text-sm text-slate-500">No repository is locked.</p>
        )}
        {locked.map((ins) => (
          <div key={ins.repository} className="border-b border-slate-200 last:border-0 dark:border-slate-800">
            <div className="flex items-center justify-between px-4 pt-3 text-sm">
              <span className="font-medium">
                Repository <span className="font-mono">{ins.repository}</span>
                {ins.backupsRunning.length > 0 && (
                  <>
                    {' '}
                    <Badge tone="warning">backup running</Badge>
                  </>
                )}
              </span>
              <Link
                href={locksHref(datastoreId, ins.repository)}
                className="text-brand-600 hover:underline"
                data-testid={`locks-of-${ins.repository}`}
              >
                Remove locks…
              </Link>
            </div>
            <LockTable locks={ins.locks} now={ins.inspectedAt} />
          </div>
        ))}
      </Panel>
      <Panel title="Repositories">
        <SimpleTable
          rows={repositories}
          rowKey={(r) => r.name}
          rowTestId={(r) => `maintenance-row-${r.name}`}
          columns={[
            {
              header: 'Repository',
              cell: (r) => (
                <Link href={maintenanceHref(datastoreId, r.name)} className="font-mono text-brand-600 hover:underline">
                  {r.name}
                </Link>
              ),
            },
            { header: 'Locks', cell: (r) => (r.locks ? <Badge tone="warning">{r.locks}</Badge> : '—') },
            {
              header: 'Orphans',
              cell: (r) => r.problems.filter((p) => p.kind === 'orphan-snapshot').length || '—',
            },
            { header: 'Last check', cell: (r) => <CheckVerdict last={checks.get(r.name)} now={now} /> },
          ]}
        />
      </Panel>
    </div>
  );
}
