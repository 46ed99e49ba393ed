import { chainPlace, resolveSnapshot, snapshotDisks, snapshotFiles } from '@/lib/catalog';
import { guarded, notFoundResponse } from '../../../../../../_lib/handler';
import { snapshotParams, type SnapshotParams } from '../_params';

export const dynamic = 'force-dynamic';

/** A snapshot: its metadata, files with sizes, disks and place in the increment chain. */
export const GET = guarded<SnapshotParams>('user', 'snapshot.show', async (viewer, params, request) => {
  const p = snapshotParams(params);
  if (!p) return notFoundResponse();
  const ref = await resolveSnapshot(viewer, p.id, p.repo, p.snap, request.signal);
  const files = await snapshotFiles(ref, request.signal);
  return Response.json({
    snapshot: ref.snapshot,
    files,
    disks: snapshotDisks(ref, files),
    chain: chainPlace(ref) ?? null,
  });
});
