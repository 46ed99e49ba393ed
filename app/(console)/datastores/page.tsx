import type { Metadata } from 'next';
import Link from 'next/link';
import { requireViewer } from '@/lib/auth';
import { listDatastoreSummaries } from '@/lib/catalog';
import { PageHeader, Panel } from '@/app/_components/panel';
import { DatastoresTable } from './_components/datastores-table';

export const metadata: Metadata = { title: 'Datastores' };

export default async function DatastoresPage() {
  const viewer = await requireViewer('/datastores');
  const datastores = await listDatastoreSummaries(viewer);
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
      <Panel>
        <DatastoresTable datastores={datastores} />
      </Panel>
    </div>
  );
}
