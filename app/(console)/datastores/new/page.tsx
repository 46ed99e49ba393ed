import { randomUUID } from 'node:crypto';
import type { Metadata } from 'next';
import { requireAdmin } from '@/lib/auth';
import { isExpectedError } from '@/lib/errors';
import { clustersWithin, datastoreSummariesWithin } from '@/lib/catalog';
import { s3Support } from '@/lib/datastore-wizard';
import { DatastoreWizard } from './_components/datastore-wizard';

export const metadata: Metadata = { title: 'Create backup datastore' };

export default async function NewDatastorePage() {
  const viewer = await requireAdmin('/datastores/new');
  let clusters: { id: number; name: string }[] = [];
  let clusterError: string | undefined;
  // Both lists within the pages' bound: while oned is slow the wizard opens with the last lists
  // read (or none yet) instead of waiting for the CLI.
  const [clustersRead, datastoresRead, s3Read] = await Promise.allSettled([
    clustersWithin(viewer),
    datastoreSummariesWithin(viewer),
    // The S3 backend is offered only when the front-end runs OpenNebula 7.4 or later.
    s3Support(viewer.credential),
  ]);
  const s3 =
    s3Read.status === 'fulfilled'
      ? s3Read.value
      : {
          available: false as const,
          reason: 'S3 datastores need OpenNebula 7.4 or later; the version could not be read.',
        };
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
          Backups of VMs go to restic repositories on a backup server reached over SFTP, or in an S3 bucket (OpenNebula
          7.4 and later). The wizard checks the server or the bucket before anything is created.
        </p>
      </div>
      <DatastoreWizard
        requestId={requestId}
        clusters={clusters}
        clusterError={clusterError}
        taken={taken}
        s3={s3.available ? { available: true } : { available: false, reason: s3.reason }}
      />
    </div>
  );
}
