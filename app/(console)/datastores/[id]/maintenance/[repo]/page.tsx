import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { requireAdmin } from '@/lib/auth';
import { datastoreAccess } from '@/lib/catalog';
import { ExecError } from '@/lib/exec';
import { inspectLocks, lastCheck, orphanPreview } from '@/lib/maintenance';
import { ResticError } from '@/lib/restic';
import type { LockInspection } from '@/lib/schemas/maintenance';
import { DatastoreIdParam, parseParam, RepositoryParam } from '@/lib/schemas/params';
import { loadOr404 } from '../../../../../_components/load';
import { PageHeader, Panel } from '../../../../../_components/panel';
import { CheckPanel } from './_components/check-panel';
import { LocksPanel } from './_components/locks-panel';
import { OrphansPanel } from './_components/orphans-panel';
import { PrunePanel } from './_components/prune-panel';

type Props = { params: Promise<{ id: string; repo: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const p = await params;
  return { title: `Maintenance · repository ${p.repo} · datastore ${p.id}` };
}

async function locksOrError(id: number, repo: string): Promise<LockInspection | string> {
  try {
    return await inspectLocks(id, repo);
  } catch (err) {
    if (err instanceof ResticError || err instanceof ExecError) return err.message;
    throw err;
  }
}

async function load(id: number, repo: string) {
  const [locks, access] = await Promise.all([locksOrError(id, repo), datastoreAccess(id)]);
  return { locks, options: access.repo(repo).options, last: lastCheck(id, repo), now: Date.now() };
}

export default async function RepositoryMaintenancePage({ params }: Props) {
  const p = await params;
  const id = parseParam(DatastoreIdParam, p.id);
  const repo = parseParam(RepositoryParam, p.repo);
  if (id === undefined || repo === undefined) notFound();
  const viewer = await requireAdmin(`/datastores/${id}/maintenance/${repo}`);
  // The repository must exist (a 404 otherwise) before anything runs on the backup server.
  const orphans = await loadOr404(() => orphanPreview(viewer, id, repo));
  const { locks, options, last, now } = await load(id, repo);
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
      {typeof locks === 'string' ? (
        <Panel title={<span id="locks">Locks</span>} testId="locks-panel">
          <p role="alert" className="px-4 py-3 text-sm text-red-600 dark:text-red-400" data-testid="locks-error">
            {locks}
          </p>
        </Panel>
      ) : (
        <LocksPanel inspection={locks} />
      )}
      <OrphansPanel datastoreId={id} repository={repo} candidates={orphans} />
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
