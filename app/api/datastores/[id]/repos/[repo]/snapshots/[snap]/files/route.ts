import { resolveSnapshot, snapshotFiles } from '@/lib/catalog';
import { guarded, notFoundResponse } from '../../../../../../../_lib/handler';
import { snapshotParams, type SnapshotParams } from '../../_params';

export const dynamic = 'force-dynamic';

/** The snapshot's files with sizes (cached forever: a snapshot never changes). */
export const GET = guarded<SnapshotParams>('user', 'snapshot.files', async (viewer, params, request) => {
  const p = snapshotParams(params);
  if (!p) return notFoundResponse();
  const ref = await resolveSnapshot(viewer, p.id, p.repo, p.snap, request.signal);
  return Response.json({ files: await snapshotFiles(ref, request.signal) });
});
