import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { requireAdmin } from '@/lib/auth';
import { ANSWER_WITHIN_MS } from '@/lib/catalog';
import { repositoryMaintenance } from '@/lib/maintenance';
import { DatastoreIdParam, parseParam, RepositoryParam } from '@/lib/schemas/params';
import { FreshnessNote } from '@/app/_components/freshness-note';
import { loadOr404OrReading } from '@/app/_components/load';
import { PageHeader, Panel } from '@/app/_components/panel';
import { RefreshWhile } from '@/app/_components/refresh-while';
import { StillReadingPage } from '@/app/_components/still-reading-page';
import { CheckPanel } from './_components/check-panel';
import { DanglingPanel } from './_components/dangling-panel';
import { LocksPanel } from './_components/locks-panel';
import { OrphansPanel } from './_components/orphans-panel';
import { PrunePanel } from './_components/prune-panel';
import { datastoreTitle } from '@/app/_components/page-titles';

type Props = { params: Promise<{ id: string; repo: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const p = await params;
  const id = parseParam(DatastoreIdParam, p.id);
  const repo = parseParam(RepositoryParam, p.repo);
  if (id === undefined || repo === undefined) return { title: 'Not found' };
  return { title: `Maintenance · repository ${repo} · ${await datastoreTitle(id)}` };
}

export default async function RepositoryMaintenancePage({ params }: Props) {
  const p = await params;
  const id = parseParam(DatastoreIdParam, p.id);
  const repo = parseParam(RepositoryParam, p.repo);
  if (id === undefined || repo === undefined) notFound();
  const viewer = await requireAdmin(`/datastores/${id}/maintenance/${repo}`);
  // The repository must exist (a 404 otherwise) before its locks are read. What the backup server
  // has not answered within the bound shows as stale or still reading, and the page asks again.
  const read = await loadOr404OrReading(() =>
    repositoryMaintenance(viewer, id, repo, { answerWithinMs: ANSWER_WITHIN_MS }),
  );
  if (!read) return <StillReadingPage title={`Maintenance of repository ${repo}`} what={`datastore ${id}`} />;
  const { locks, orphans, dangling, options, last, opennebula, now } = read;
  const settled =
    ('error' in locks || locks.freshness.state === 'fresh') &&
    orphans.freshness.state === 'fresh' &&
    opennebula === undefined;
  return (
    <div className="mx-auto max-w-7xl space-y-4">
      <PageHeader
        title={
          <>
            Maintenance of repository <span className="font-mono">{repo}</span>
          </>
        }
        subtitle={
          <>
            <Link href={`/datastores/${id}/repos/${repo}`} className="text-brand-600 hover:underline">
              Snapshots and backups
            </Link>{' '}
            ·{' '}
            <Link href={`/datastores/${id}?tab=maintenance`} className="text-brand-600 hover:underline">
              All locks of datastore {id}
            </Link>
          </>
        }
      />
      <RefreshWhile active={!settled} />
      {opennebula && <FreshnessNote freshness={opennebula} what="the images" now={now} source="opennebula" />}
      {'error' in locks ? (
        <Panel title={<span id="locks">Locks</span>} testId="locks-panel">
          <p role="alert" className="px-4 py-3 text-sm text-red-600 dark:text-red-400" data-testid="locks-error">
            {locks.error}
          </p>
        </Panel>
      ) : locks.value ? (
        <>
          <FreshnessNote freshness={locks.freshness} what="the locks" now={now} />
          <LocksPanel inspection={locks.value} />
        </>
      ) : (
        <Panel title={<span id="locks">Locks</span>} testId="locks-panel">
          <div className="p-4">
            <FreshnessNote freshness={locks.freshness} what="the locks" now={now} />
          </div>
        </Panel>
      )}
      {orphans.value ? (
        <>
          {orphans.freshness.state !== 'fresh' && (
            <FreshnessNote freshness={orphans.freshness} what="the snapshots" now={now} />
          )}
          <OrphansPanel datastoreId={id} repository={repo} candidates={orphans.value} />
        </>
      ) : (
        <FreshnessNote freshness={orphans.freshness} what="the snapshots" now={now} />
      )}
      {dangling.value && <DanglingPanel datastoreId={id} repository={repo} images={dangling.value} />}
      <PrunePanel
        datastoreId={id}
        repository={repo}
        maxUnused={options.pruneMaxUnused}
        maxRepack={options.pruneMaxRepack}
      />
      <CheckPanel datastoreId={id} repository={repo} last={last} now={now} />
    </div>
  );
}
