import { ANSWER_WITHIN_MS, capacityReport } from '@/lib/catalog';
import { DatastoreIdParam, parseParam } from '@/lib/schemas/params';
import { guarded, notFoundResponse } from '@/app/api/_lib/handler';

export const dynamic = 'force-dynamic';

export const GET = guarded<{ id: string }>('user', 'datastore.capacity', async (viewer, params, request) => {
  const id = parseParam(DatastoreIdParam, params.id);
  if (id === undefined) return notFoundResponse();
  // Within the bound: ratios restic is still computing are listed as pending (the tab asks again).
  return Response.json(await capacityReport(viewer, id, request.signal, { answerWithinMs: ANSWER_WITHIN_MS }));
});
