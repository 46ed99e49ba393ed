// Liveness for systemd watchdogs and load balancers: the process answers. No session needed
// (proxy.ts lets /api/ through to route handlers) and nothing to reveal.
export const dynamic = 'force-dynamic';

export function GET(): Response {
  return Response.json({ status: 'ok' }, { headers: { 'Cache-Control': 'no-store' } });
}
