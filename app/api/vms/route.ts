import { applyVmQuery, readVmProtection } from '@/lib/protection';
import { parseVmsQuery } from '@/lib/schemas/vms';
import { guarded } from '../_lib/handler';

export const dynamic = 'force-dynamic';

// Every VM the signed-in person may see with its protection status, filtered and sorted on the
// server (search parameters as on /vms: status, q, sort, dir).
export const GET = guarded<Record<string, never>>('user', 'vms.list', async (viewer, _params, request) => {
  const url = new URL(request.url);
  const params: Record<string, string | string[]> = {};
  for (const key of new Set(url.searchParams.keys())) {
    const all = url.searchParams.getAll(key);
    params[key] = all.length === 1 ? all[0]! : all;
  }
  const parsed = parseVmsQuery(params);
  if (!parsed.ok) return Response.json({ error: parsed.message }, { status: 400 });
  const report = await readVmProtection(viewer, { signal: request.signal });
  const vms = applyVmQuery(report.vms, parsed.query);
  return Response.json({
    counts: report.counts,
    asOf: report.asOf,
    freshness: report.freshness,
    query: parsed.query,
    matched: vms.length,
    vms,
  });
});
