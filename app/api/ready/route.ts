import { sharedReadiness } from '@/lib/health/readiness';

// Readiness for load balancers and monitoring: the store opens, OpenNebula answers, each backup
// server's SSH connection works. No session needed; the answer is "ok"/"failing" per part only.
export const dynamic = 'force-dynamic';

export async function GET(): Promise<Response> {
  const r = await sharedReadiness();
  return Response.json(r, { status: r.status === 'ok' ? 200 : 503, headers: { 'Cache-Control': 'no-store' } });
}
