import { ANSWER_WITHIN_MS, repositoryDetail } from '@/lib/catalog';
import { DatastoreIdParam, parseParam, RepositoryParam } from '@/lib/schemas/params';
import { guarded, notFoundResponse } from '@/app/api/_lib/handler';

export const dynamic = 'force-dynamic';

export const GET = guarded<{ id: string; repo: string }>(
  'user',
  'repository.snapshots',
  async (viewer, params, request) => {
    const id = parseParam(DatastoreIdParam, params.id);
    const repo = parseParam(RepositoryParam, params.repo);
    if (id === undefined || repo === undefined) return notFoundResponse();
    // Answers within the bound; `freshness` says whether the snapshots are stale or still being read.
    return Response.json(
      await repositoryDetail(viewer, id, repo, request.signal, { answerWithinMs: ANSWER_WITHIN_MS }),
    );
  },
);
