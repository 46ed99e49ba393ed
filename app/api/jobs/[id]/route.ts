import { visibleJob, visibleJobLog } from '@/lib/jobs';
import { IdParam } from '@/lib/schemas/ids';
import { parseParam } from '@/lib/schemas/params';
import { guarded, notFoundResponse } from '@/app/api/_lib/handler';

export const dynamic = 'force-dynamic';

export const GET = guarded<{ id: string }>('user', 'jobs.show', async (viewer, params, request) => {
  const id = parseParam(IdParam, params.id);
  if (id === undefined) return notFoundResponse();
  const job = visibleJob(viewer, id);
  if (!job) return notFoundResponse();
  const after = Number(new URL(request.url).searchParams.get('after') ?? '-1');
  return Response.json({ job, log: visibleJobLog(viewer, id, Number.isInteger(after) ? after : -1) ?? [] });
});
