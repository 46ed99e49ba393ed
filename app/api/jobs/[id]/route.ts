import { visibleJob, visibleJobLog } from '@/lib/jobs';
import { guarded, notFoundResponse } from '../../_lib/handler';

export const dynamic = 'force-dynamic';

export const GET = guarded<{ id: string }>('user', 'jobs.show', async (viewer, params, request) => {
  if (!/^\d{1,9}$/.test(params.id)) return notFoundResponse();
  const id = Number(params.id);
  const job = visibleJob(viewer, id);
  if (!job) return notFoundResponse();
  const after = Number(new URL(request.url).searchParams.get('after') ?? '-1');
  return Response.json({ job, log: visibleJobLog(viewer, id, Number.isInteger(after) ? after : -1) ?? [] });
});
