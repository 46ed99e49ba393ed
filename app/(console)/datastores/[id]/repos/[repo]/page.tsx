import type { Metadata } from 'next';
import { SIZE_TERMS } from '@/app/_components/size-terms';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { requireViewer } from '@/lib/auth';
import {
  ANSWER_WITHIN_MS,
  datastoreSummariesWithin,
  leastFresh,
  localRestoreBase,
  repositoryDetail,
} from '@/lib/catalog';
import { isExpectedError } from '@/lib/errors';
import { locksHref, maintenanceHref } from '@/app/_components/hrefs';
import { resticBackendOf } from '@/lib/s3';
import { DatastoreIdParam, parseParam, RepositoryParam } from '@/lib/schemas/params';
import { Badge } from '@/app/_components/badge';
import { formatBytes } from '@/app/_components/format';
import { FreshnessNote } from '@/app/_components/freshness-note';
import { answerDeadline, loadOr404OrReading } from '@/app/_components/load';
import { PageHeader } from '@/app/_components/panel';
import { RefreshWhile } from '@/app/_components/refresh-while';
import { StillReadingPage } from '@/app/_components/still-reading-page';
import { ChainsPanel } from './_components/chains-panel';
import { SnapshotsTable } from './_components/snapshots-table';
import { datastoreTitle } from '@/app/_components/page-titles';

type Props = { params: Promise<{ id: string; repo: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const p = await params;
  const id = parseParam(DatastoreIdParam, p.id);
  const repo = parseParam(RepositoryParam, p.repo);
  if (id === undefined || repo === undefined) return { title: 'Not found' };
  return { title: `Repository ${repo} · ${await datastoreTitle(id)}` };
}

/** Rows sent with the page: more than a screen, few enough to paint at once. */
const FIRST_ROWS = 200;

export default async function RepositoryPage({ params }: Props) {
  const p = await params;
  const id = parseParam(DatastoreIdParam, p.id);
  const repo = parseParam(RepositoryParam, p.repo);
  if (id === undefined || repo === undefined) notFound();
  const viewer = await requireViewer(`/datastores/${id}/repos/${repo}`);
  const { at } = answerDeadline();
  const [detail, datastores] = await Promise.all([
    // What the backup server and restic have not answered within the bound shows as stale or still
    // reading; the page asks again until it is fresh.
    loadOr404OrReading(() => repositoryDetail(viewer, id, repo, undefined, { answerWithinMs: ANSWER_WITHIN_MS })),
    // The restore dialog's image datastores, within the same bound: while oned is slow, the last
    // list read (or none yet, and Restore waits for it) rather than a page that waits for the CLI.
    datastoreSummariesWithin(viewer).catch((err: unknown) => {
      if (isExpectedError(err, 'unavailable')) return undefined;
      throw err;
    }),
  ]);
  if (!detail) return <StillReadingPage title={`Repository ${repo}`} what={`datastore ${id}`} />;
  const diskIds = [...new Set(detail.snapshots.flatMap((s) => s.disks.map((d) => d.diskId)))].sort((a, b) => a - b);
  const imageDatastores = (datastores?.value ?? [])
    .filter((d) => d.type === 'IMAGE_DS')
    .map((d) => ({ id: d.id, name: d.name }));
  const r = detail.repository;
  const fromOpenNebula = detail.opennebula
    ? leastFresh(detail.opennebula, datastores?.freshness ?? { state: 'reading' })
    : datastores?.freshness.state === 'fresh'
      ? undefined
      : (datastores?.freshness ?? { state: 'reading' as const });
  return (
    <div className="mx-auto max-w-7xl space-y-4">
      <PageHeader
        title={
          <>
            Repository <span className="font-mono">{r.name}</span>
          </>
        }
        subtitle={
          <>
            {r.kind === 'job'
              ? `Backup Job ${r.jobId}${r.jobName ? ` “${r.jobName}”` : ''}`
              : `${r.vmName ?? 'VM'} (VM ${r.vmId}${r.owner ? `, owner ${r.owner}` : ''})`}{' '}
            in{' '}
            <Link href={`/datastores/${id}`} className="text-brand-600 hover:underline">
              {detail.datastore.name}
            </Link>{' '}
            · {r.snapshotCount} snapshots ·{' '}
            <span title={SIZE_TERMS.onDisk.hint}>on disk {formatBytes(r.storedBytes)}</span>{' '}
            {r.locks !== undefined &&
              r.locks > 0 &&
              (viewer.isAdmin ? (
                <Link href={locksHref(id, repo)} data-testid="repo-locks-link">
                  <Badge tone="warning">locked ({r.locks})</Badge>
                </Link>
              ) : (
                <Badge tone="warning">locked ({r.locks})</Badge>
              ))}
          </>
        }
        actions={
          viewer.isAdmin && (
            <Link
              href={maintenanceHref(id, repo)}
              data-testid="repo-maintenance-link"
              className="rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium hover:bg-slate-50 dark:border-slate-700 dark:hover:bg-slate-800"
            >
              Maintenance
            </Link>
          )
        }
      />
      <RefreshWhile active={detail.freshness.state !== 'fresh' || fromOpenNebula !== undefined} />
      <FreshnessNote freshness={detail.freshness} what="the snapshots" now={at} />
      {fromOpenNebula && (
        <FreshnessNote freshness={fromOpenNebula} what="the images, VMs and datastores" now={at} source="opennebula" />
      )}
      <ChainsPanel
        chains={detail.chains}
        restore={{
          datastoreId: id,
          repository: repo,
          imageDatastores,
          diskIds,
          isAdmin: viewer.isAdmin,
          locks: r.locks,
          onBackstoneUnder: resticBackendOf(detail.datastore.template) === 'S3' ? localRestoreBase() : undefined,
        }}
      />
      <SnapshotsTable
        initial={detail.snapshots.slice(0, FIRST_ROWS)}
        total={detail.snapshots.length}
        source={`/api/datastores/${id}/repos/${encodeURIComponent(repo)}`}
      />
    </div>
  );
}
