import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { Suspense } from 'react';
import { requireViewer } from '@/lib/auth';
import { ANSWER_WITHIN_MS, chainPlace, resolveSnapshot, type SnapshotRef } from '@/lib/catalog';
import { isExpectedError } from '@/lib/errors';
import { DatastoreIdParam, parseParam, RepositoryParam, SnapshotParam } from '@/lib/schemas/params';
import { defaultPair } from '@/lib/schemas/snapshot-pair';
import { Badge } from '@/app/_components/badge';
import { formatAge, formatDate } from '@/app/_components/format';
import { FreshnessNote } from '@/app/_components/freshness-note';
import { answerDeadline, loadOr404 } from '@/app/_components/load';
import { PageHeader, Panel } from '@/app/_components/panel';
import { RefreshWhile } from '@/app/_components/refresh-while';
import { CompareForm } from '../_components/compare-form';
import { DisksSection, FilesSection, snapshotBase, VmSection } from '../_components/sections';
import { datastoreTitle } from '@/app/_components/page-titles';

type Props = { params: Promise<{ id: string; repo: string; snap: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const p = await params;
  const id = parseParam(DatastoreIdParam, p.id);
  const repo = parseParam(RepositoryParam, p.repo);
  const snap = parseParam(SnapshotParam, p.snap);
  if (id === undefined || repo === undefined || snap === undefined) return { title: 'Not found' };
  return { title: `Snapshot ${snap.slice(0, 8)} · repository ${repo} · ${await datastoreTitle(id)}` };
}

function Loading({ label }: { label: string }) {
  return (
    <div
      aria-busy="true"
      aria-label={label}
      className="h-32 animate-pulse rounded-lg border border-slate-200 bg-slate-100 dark:border-slate-800 dark:bg-slate-800/50"
    />
  );
}

export default async function SnapshotPage({ params }: Props) {
  const p = await params;
  const id = parseParam(DatastoreIdParam, p.id);
  const repo = parseParam(RepositoryParam, p.repo);
  const snap = parseParam(SnapshotParam, p.snap);
  if (id === undefined || repo === undefined || snap === undefined) notFound();
  const viewer = await requireViewer(`/datastores/${id}/repos/${repo}/snapshots/${snap}`);
  // Every read of the backup server and restic below ends by this deadline, or says it is still
  // reading (the reads go on and the page asks again).
  const { at: askedAt, deadline } = answerDeadline();
  // Before any Suspense boundary streams: a snapshot the viewer may not see is a real 404.
  let ref: SnapshotRef;
  try {
    ref = await loadOr404(() =>
      resolveSnapshot(viewer, id, repo, snap, undefined, { answerWithinMs: ANSWER_WITHIN_MS }),
    );
  } catch (err) {
    // Not answered yet (still reading): the page says so and asks again.
    if (!isExpectedError(err, 'unavailable')) throw err;
    return (
      <div className="mx-auto max-w-7xl space-y-4">
        <PageHeader
          title={
            <>
              Snapshot <span className="font-mono">{snap.slice(0, 8)}</span>
            </>
          }
          subtitle={
            <>
              repository{' '}
              <Link href={`/datastores/${id}/repos/${repo}`} className="text-brand-600 hover:underline">
                {repo}
              </Link>
            </>
          }
        />
        <RefreshWhile active />
        <FreshnessNote freshness={{ state: 'reading' }} what="the repository's snapshots" now={0} />
      </div>
    );
  }
  const s = ref.snapshot;
  const place = chainPlace(ref);
  const repoHref = `/datastores/${id}/repos/${repo}`;
  // Compare with the previous snapshot of the same VM (or its next, for the VM's first): in a
  // Backup Job's repository the snapshot listed before this one may be another VM's.
  const pair = defaultPair(ref.detail.snapshots, s.id);
  const [compareFrom, compareTo] = [pair.from ?? s.id, pair.to ?? s.id];
  return (
    <div className="mx-auto max-w-7xl space-y-4">
      <PageHeader
        title={
          <>
            Snapshot <span className="font-mono">{s.shortId}</span>
          </>
        }
        subtitle={
          <>
            <span title={formatAge(s.time)}>{formatDate(s.time)}</span> · host {s.hostname}
            {s.vmId !== undefined && <> · VM {s.vmId}</>} · repository{' '}
            <Link href={repoHref} className="text-brand-600 hover:underline">
              {repo}
            </Link>{' '}
            in{' '}
            <Link href={`/datastores/${id}`} className="text-brand-600 hover:underline">
              {ref.detail.datastore.name}
            </Link>
          </>
        }
        actions={
          <a
            className="rounded border border-slate-300 px-3 py-1.5 text-sm hover:bg-slate-50 dark:border-slate-700 dark:hover:bg-slate-800"
            href={`${snapshotBase(ref)}/vm-xml`}
            download
          >
            Download vm.xml (decoded)
          </a>
        }
      />
      <RefreshWhile active={ref.detail.freshness.state !== 'fresh'} />
      <FreshnessNote freshness={ref.detail.freshness} what="the repository's snapshots" now={askedAt} />
      <Panel title="Backup" testId="snapshot-facts">
        <div className="space-y-2 px-4 py-3 text-sm">
          <p className="font-mono text-xs break-all text-slate-500" data-testid="snapshot-id">
            {s.id}
          </p>
          {s.imageId === undefined ? (
            <p>
              <Badge tone={s.orphanFlagged ? 'warning' : 'muted'}>{s.orphanFlagged ? 'orphan' : 'no image yet'}</Badge>{' '}
              No OpenNebula backup image refers to this snapshot.
            </p>
          ) : (
            <p data-testid="snapshot-image">
              Backup image {s.imageId}
              {s.imageName ? ` “${s.imageName}”` : ''} · {s.incrementType === 'INCREMENT' ? 'increment' : 'full'}{' '}
              {s.incrementId}
            </p>
          )}
          {place && place.mode === 'INCREMENT' && (
            <div data-testid="chain-place">
              <span className="text-slate-500">Chain up to here: </span>
              <ol className="inline-flex flex-wrap items-center gap-1.5" aria-label="Increment chain">
                {place.links.map((l, i) => (
                  <li key={l.incrementId} className="flex items-center gap-1.5">
                    {i > 0 && (
                      <span aria-hidden className="text-slate-400">
                        →
                      </span>
                    )}
                    {l.snapshotId && l.snapshotId !== s.id ? (
                      <Link
                        href={`${repoHref}/snapshots/${l.snapshotId}`}
                        className="rounded border border-slate-300 px-2 py-0.5 font-mono text-xs hover:bg-slate-50 dark:border-slate-700"
                      >
                        {l.type === 'FULL' ? 'FULL' : 'INC'} {l.incrementId}: {l.shortId}
                      </Link>
                    ) : (
                      <span className="rounded border border-brand-600 px-2 py-0.5 font-mono text-xs">
                        {l.type === 'FULL' ? 'FULL' : 'INC'} {l.incrementId}: {l.shortId}
                      </span>
                    )}
                  </li>
                ))}
              </ol>
              {place.later > 0 && (
                <span className="ml-2 text-xs text-slate-500">
                  ({place.later} later increment{place.later === 1 ? '' : 's'})
                </span>
              )}
            </div>
          )}
        </div>
      </Panel>
      <Suspense fallback={<Loading label="Loading the files" />}>
        <FilesSection snapshotRef={ref} deadline={deadline} />
      </Suspense>
      <Suspense fallback={<Loading label="Reading the disk headers" />}>
        <DisksSection snapshotRef={ref} deadline={deadline} />
      </Suspense>
      <Suspense fallback={<Loading label="Reading vm.xml" />}>
        <VmSection snapshotRef={ref} reader={viewer} deadline={deadline} />
      </Suspense>
      <Panel title="Compare with another snapshot">
        <CompareForm
          action={`${repoHref}/snapshots/compare`}
          from={compareFrom}
          to={compareTo}
          snapshots={ref.detail.snapshots.map((x) => ({ id: x.id, shortId: x.shortId, time: x.time, vmId: x.vmId }))}
        />
      </Panel>
    </div>
  );
}
