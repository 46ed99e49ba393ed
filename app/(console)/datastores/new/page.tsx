import { randomUUID } from 'node:crypto';
import type { Metadata } from 'next';
import { requireAdmin } from '@/lib/auth';
import { isExpectedError } from '@/lib/errors';
import { listClusters, listDatastores } from '@/lib/opennebula';
import { DatastoreWizard } from './_components/datastore-wizard';

export const metadata: Metadata = { title: 'Create backup datastore' };

export default async function NewDatastorePage() {
  const viewer = await requireAdmin('/datastores/new');
  let clusters: { id: number; name: string }[] = [];
  let clusterError: string | undefined;
  try {
    clusters = (await listClusters(viewer.credential)).map((c) => ({ id: c.id, name: c.name }));
  } catch (err) {
    if (!isExpectedError(err)) throw err;
    clusterError = err.userMessage;
  }
  // The names already taken, so the first step says so at once rather than OpenNebula at Create
  // (which still has the last word: a datastore made meanwhile is refused there).
  const taken = await listDatastores(viewer.credential).then(
    (all) => all.map((d) => ({ id: d.id, name: d.name })),
    () => [],
  );
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
