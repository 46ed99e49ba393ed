import { randomUUID } from 'node:crypto';
import type { Metadata } from 'next';
import { requireAdmin } from '@/lib/auth';
import { isExpectedError } from '@/lib/errors';
import { clustersWithin, datastoreSummariesWithin } from '@/lib/catalog';
import { DatastoreWizard } from './_components/datastore-wizard';

export const metadata: Metadata = { title: 'Create backup datastore' };

export default async function NewDatastorePage() {
  const viewer = await requireAdmin('/datastores/new');
  let clusters: { id: number; name: string }[] = [];
  let clusterError: string | undefined;
  // Both lists within the pages' bound: while oned is slow the wizard opens with the last lists
  // read (or none yet) instead of waiting for the CLI.
  const [clustersRead, datastoresRead] = await Promise.allSettled([
    clustersWithin(viewer),
    datastoreSummariesWithin(viewer),
  ]);
  if (clustersRead.status === 'fulfilled') {
    clusters = clustersRead.value.value.map((c) => ({ id: c.id, name: c.name }));
  } else {
    const err: unknown = clustersRead.reason;
    if (!isExpectedError(err)) throw err;
    const slow = err.kind === 'unavailable';
    clusterError = slow ? 'OpenNebula is slow to answer; reload this page to list them.' : err.userMessage;
  }
  // The names already taken, so the first step says so at once rather than OpenNebula at Create
  // (which still has the last word: a datastore made meanwhile is refused there).
  const taken =
    datastoresRead.status === 'fulfilled' ? datastoresRead.value.value.map((d) => ({ id: d.id, name: d.name })) : [];
  // One ID per wizard load: a second submit of the same form returns the first result.
  const requestId = randomUUID();
  return (
    <div className="mx-auto max-w-4xl space-y-4">
      <div>
        <h1 className="text-2xl font-semibold">Create a restic backup datastore</h1>
        <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
          Backups of VMs go to restic repositories on a backup server reached over SFTP. The wizard checks that server
          before anything is created.
        </p>
      </div>
      <DatastoreWizard requestId={requestId} clusters={clusters} clusterError={clusterError} taken={taken} />
    </div>
  );
}
