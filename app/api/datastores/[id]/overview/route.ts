import { OVERVIEW_ANSWER_WITHIN_MS, readOverview } from '@/lib/catalog';
import { DatastoreIdParam, parseParam } from '@/lib/schemas/params';
import { guarded, notFoundResponse } from '@/app/api/_lib/handler';

export const dynamic = 'force-dynamic';

export const GET = guarded<{ id: string }>('user', 'datastore.overview', async (viewer, params, request) => {
  const id = parseParam(DatastoreIdParam, params.id);
  if (id === undefined) return notFoundResponse();
  // A read writes nothing: the capacity history is sampled by the datastore's schedule (lib/schedules).
  const { overview } = await readOverview(viewer, id, request.signal, undefined, {
    answerWithinMs: OVERVIEW_ANSWER_WITHIN_MS,
  });
  return Response.json(overview);
});
