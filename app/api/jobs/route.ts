import { activeJobCount, visibleJobs } from '@/lib/jobs';
import { guarded } from '../_lib/handler';

export const dynamic = 'force-dynamic';

export const GET = guarded<Record<string, never>>('user', 'jobs.list', async (viewer) =>
  Response.json({ active: activeJobCount(viewer), jobs: visibleJobs(viewer, 200) }),
);
