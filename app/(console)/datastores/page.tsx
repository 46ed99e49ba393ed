import type { Metadata } from 'next';
import Link from 'next/link';
import { requireViewer } from '@/lib/auth';
import { datastoreSummariesWithin, type Bounded, type DatastoreInfo } from '@/lib/catalog';
import { isExpectedError } from '@/lib/errors';
import { FreshnessNote } from '@/app/_components/freshness-note';
import { answerDeadline } from '@/app/_components/load';
import { RefreshWhile } from '@/app/_components/refresh-while';
import { PageHeader, Panel } from '@/app/_components/panel';
import { DatastoresTable } from './_components/datastores-table';

export const metadata: Metadata = { title: 'Datastores' };

export default async function DatastoresPage() {
  const viewer = await requireViewer('/datastores');
  const { at } = answerDeadline();
  let read: Bounded<DatastoreInfo[]> | undefined;
  try {
    read = await datastoreSummariesWithin(viewer);
  } catch (err) {
    if (!isExpectedError(err, 'unavailable')) throw err;
  }
  const freshness = read?.freshness ?? { state: 'reading' as const };
  return (
    <div className="mx-auto max-w-7xl space-y-4">
      <PageHeader
        title="Datastores"
        subtitle="Every datastore OpenNebula shows you; backup datastores first, restic ones marked."
        actions={
          viewer.isAdmin && (
            <Link
              href="/datastores/new"
              className="rounded-md bg-brand-500 px-3 py-1.5 text-sm font-semibold text-white hover:bg-brand-600"
              data-testid="create-datastore"
            >
              Create datastore
            </Link>
          )
        }
      />
      <FreshnessNote freshness={freshness} what="the datastores" now={at} source="opennebula" />
      <RefreshWhile active={freshness.state !== 'fresh'} />
      {read && (
        <Panel>
          <DatastoresTable datastores={read.value} />
        </Panel>
      )}
    </div>
  );
}
