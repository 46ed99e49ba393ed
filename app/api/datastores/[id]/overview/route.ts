import { datastoreOverview, OVERVIEW_ANSWER_WITHIN_MS } from '@/lib/catalog';
import { DatastoreIdParam, parseParam } from '@/lib/schemas/params';
import { guarded, notFoundResponse } from '@/app/api/_lib/handler';

export const dynamic = 'force-dynamic';

export const GET = guarded<{ id: string }>('user', 'datastore.overview', async (viewer, params, request) => {
  const id = parseParam(DatastoreIdParam, params.id);
  if (id === undefined) return notFoundResponse();
  return Response.json(
    await datastoreOverview(viewer, id, request.signal, undefined, { answerWithinMs: OVERVIEW_ANSWER_WITHIN_MS }),
  );
});
