import { ANSWER_WITHIN_MS, resolveSnapshot, snapshotFilesWithin } from '@/lib/catalog';
import { guarded, notFoundResponse } from '@/app/api/_lib/handler';
import { snapshotParams, type SnapshotParams } from '@/app/api/datastores/[id]/repos/[repo]/snapshots/_params';

export const dynamic = 'force-dynamic';

/** The snapshot's files with sizes (cached forever: a snapshot never changes). */
export const GET = guarded<SnapshotParams>('user', 'snapshot.files', async (viewer, params, request) => {
  const p = snapshotParams(params);
  if (!p) return notFoundResponse();
  // Within the bound, or a 503 with Retry-After while the backup server is still being read.
  const deadline = Date.now() + ANSWER_WITHIN_MS;
  const ref = await resolveSnapshot(viewer, p.id, p.repo, p.snap, request.signal, { answerWithinMs: ANSWER_WITHIN_MS });
  return Response.json({ files: await snapshotFilesWithin(ref, deadline - Date.now(), request.signal) });
});
