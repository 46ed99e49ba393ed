import { ANSWER_WITHIN_MS, chainPlace, resolveSnapshot, snapshotDisks, snapshotFilesWithin } from '@/lib/catalog';
import { guarded, notFoundResponse } from '@/app/api/_lib/handler';
import { snapshotParams, type SnapshotParams } from '../_params';

export const dynamic = 'force-dynamic';

/** A snapshot: its metadata, files with sizes, disks and place in the increment chain. */
export const GET = guarded<SnapshotParams>('user', 'snapshot.show', async (viewer, params, request) => {
  const p = snapshotParams(params);
  if (!p) return notFoundResponse();
  // Within the bound, or a 503 with Retry-After while the backup server is still being read.
  const deadline = Date.now() + ANSWER_WITHIN_MS;
  const ref = await resolveSnapshot(viewer, p.id, p.repo, p.snap, request.signal, { answerWithinMs: ANSWER_WITHIN_MS });
  const files = await snapshotFilesWithin(ref, deadline - Date.now(), request.signal);
  return Response.json({
    snapshot: ref.snapshot,
    files,
    disks: snapshotDisks(ref, files),
    chain: chainPlace(ref) ?? null,
  });
});
