import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { Suspense } from 'react';
import { requireViewer, type Viewer } from '@/lib/auth';
import { datastoreWithin, OVERVIEW_ANSWER_WITHIN_MS, readOverview, type Bounded } from '@/lib/catalog';
import { isExpectedError } from '@/lib/errors';
import type { Datastore } from '@/lib/opennebula';
import { expectedInterval } from '@/lib/protection';
import { DatastoreIdParam, parseParam } from '@/lib/schemas/params';
import { loadOr404 } from '@/app/_components/load';
import { FreshnessNote } from '@/app/_components/freshness-note';
import { PageHeader } from '@/app/_components/panel';
import { RefreshWhile } from '@/app/_components/refresh-while';
import { LazyCapacityTab } from './_components/capacity-tab-lazy';
import { InfoTab } from './_components/info-tab';
import { MaintenanceTab } from './_components/maintenance-tab';
import { RepositoriesView } from './_components/repositories-view';
import { ServerBanner } from './_components/server-banner';
import { DatastoreTabs, tabOf, type TabId } from './_components/tabs';
import { datastoreTitle } from '@/app/_components/page-titles';

type Props = { params: Promise<{ id: string }>; searchParams: Promise<{ tab?: string | string[]; created?: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const id = parseParam(DatastoreIdParam, (await params).id);
  return { title: id === undefined ? 'Not found' : `Datastore ${await datastoreTitle(id)}` };
}

async function Overview({
  viewer,
  id,
  tab,
  datastore,
}: {
  viewer: Viewer;
  id: number;
  tab: TabId;
  datastore: Bounded<Datastore>;
}) {
  // A read writes nothing: the capacity history is sampled by the datastore's schedule (lib/schedules).
  const { overview } = await readOverview(viewer, id, undefined, datastore.value, {
    answerWithinMs: OVERVIEW_ANSWER_WITHIN_MS,
    datastoreFreshness: datastore.freshness,
  });
  return (
    <>
      <PageHeader
        title={
          <>
            {overview.datastore.name} <span className="text-slate-400">#{id}</span>
          </>
        }
        subtitle={
          overview.bucket
            ? `restic backup datastore in S3: ${overview.bucket.location}`
            : overview.datastore.isRestic
              ? `restic backup datastore on ${overview.server?.user ?? ''}@${overview.server?.host ?? ''}`
              : `${overview.datastore.type} datastore (${overview.datastore.dsMad})`
        }
      />
      <ServerBanner server={overview.server} />
      {/* The repositories tab says it itself (and refreshes its own data). */}
      {tab !== 'repositories' && overview.opennebula && (
        <>
          <FreshnessNote
            freshness={overview.opennebula}
            what="the datastore"
            now={overview.generatedAt}
            source="opennebula"
          />
          <RefreshWhile active />
        </>
      )}
      <DatastoreTabs id={id} active={tab} admin={viewer.isAdmin} />
      {tab === 'repositories' &&
        (overview.datastore.isRestic ? (
          <RepositoriesView initial={overview} />
        ) : (
          <p className="text-sm text-slate-500">Only restic backup datastores hold repositories.</p>
        ))}
      {tab === 'capacity' && overview.datastore.isRestic && <LazyCapacityTab datastoreId={id} />}
      {tab === 'info' && <InfoTab overview={overview} interval={expectedInterval(id)} admin={viewer.isAdmin} />}
      {tab === 'maintenance' &&
        (!viewer.isAdmin ? (
          <p role="status" data-testid="maintenance-admins-only" className="text-sm text-slate-500">
            Maintenance (locks, prune, integrity checks) is for cloud admins, members of the oneadmin group.
          </p>
        ) : overview.datastore.isRestic ? (
          <MaintenanceTab
            datastoreId={id}
            datastoreName={overview.datastore.name}
            repositories={overview.repositories}
          />
        ) : (
          <p className="text-sm text-slate-500">Only restic backup datastores have repositories to maintain.</p>
        ))}
    </>
  );
}

function Loading() {
  return (
    <div className="space-y-3" aria-busy="true">
      <div className="h-8 w-64 animate-pulse rounded bg-slate-200 dark:bg-slate-800" />
      <div className="h-10 animate-pulse rounded bg-slate-200 dark:bg-slate-800" />
      <div className="h-64 animate-pulse rounded bg-slate-200 dark:bg-slate-800" />
    </div>
  );
}

export default async function DatastorePage({ params, searchParams }: Props) {
  const id = parseParam(DatastoreIdParam, (await params).id);
  if (id === undefined) notFound();
  const sp = await searchParams;
  const viewer = await requireViewer(`/datastores/${id}`);
  // Before streaming starts, so an unknown or forbidden datastore answers with a real 404; within
  // the pages' bound (the last one read while oned is slow).
  let datastore: Bounded<Datastore>;
  try {
    datastore = await loadOr404(() => datastoreWithin(viewer, id));
  } catch (err) {
    // OpenNebula has not shown the datastore yet: the page says so and asks again.
    if (!isExpectedError(err, 'unavailable')) throw err;
    return (
      <div className="mx-auto max-w-7xl space-y-4">
        <PageHeader title={`Datastore ${id}`} />
        <FreshnessNote freshness={{ state: 'reading' }} what={`datastore ${id}`} now={0} source="opennebula" />
        <RefreshWhile active />
      </div>
    );
  }
  return (
    <div className="mx-auto max-w-7xl space-y-4">
      {sp.created === '1' && (
        <div
          role="status"
          data-testid="created-banner"
          className="rounded-lg border border-emerald-300 bg-emerald-50 px-4 py-3 text-sm text-emerald-900 dark:border-emerald-800 dark:bg-emerald-950/40 dark:text-emerald-200"
        >
          Datastore {id} was created. OpenNebula fills in its capacity at the next monitoring cycle.
        </div>
      )}
      <Suspense fallback={<Loading />}>
        <Overview viewer={viewer} id={id} tab={tabOf(sp.tab)} datastore={datastore} />
      </Suspense>
    </div>
  );
}
