import { ANSWER_WITHIN_MS, snapshotDiff } from '@/lib/catalog';
import { parseParam, SnapshotParam } from '@/lib/schemas/params';
import { guarded, notFoundResponse } from '@/app/api/_lib/handler';
import { snapshotParams, type SnapshotParams } from '@/app/api/datastores/[id]/repos/[repo]/snapshots/_params';

export const dynamic = 'force-dynamic';

/** Files added, removed and changed from this snapshot to another of the same repository. */
export const GET = guarded<SnapshotParams & { other: string }>(
  'user',
  'snapshot.diff',
  async (viewer, params, request) => {
    const p = snapshotParams(params);
    const other = parseParam(SnapshotParam, params.other);
    if (!p || other === undefined) return notFoundResponse();
    // Within the bound, or a 503 with Retry-After while restic still compares (it goes on).
    return Response.json(
      await snapshotDiff(viewer, p.id, p.repo, p.snap, other, request.signal, { answerWithinMs: ANSWER_WITHIN_MS }),
    );
  },
);
