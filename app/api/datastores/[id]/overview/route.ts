import { OVERVIEW_ANSWER_WITHIN_MS, readOverview, recordCapacitySample } from '@/lib/catalog';
import { DatastoreIdParam, parseParam } from '@/lib/schemas/params';
import { guarded, notFoundResponse } from '@/app/api/_lib/handler';

export const dynamic = 'force-dynamic';

export const GET = guarded<{ id: string }>('user', 'datastore.overview', async (viewer, params, request) => {
  const id = parseParam(DatastoreIdParam, params.id);
  if (id === undefined) return notFoundResponse();
  const { overview, capacity } = await readOverview(viewer, id, request.signal, undefined, {
    answerWithinMs: OVERVIEW_ANSWER_WITHIN_MS,
  });
  // The backup server was just listed: its df is the datastore's capacity history's next sample.
  recordCapacitySample(id, capacity);
  return Response.json(overview);
});
