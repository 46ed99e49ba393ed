import { getConfig } from '@/lib/config';
import { toResponse } from '@/lib/errors';
import { checkBearer, METRICS_CONTENT_TYPE, scrape } from '@/lib/metrics';

export const dynamic = 'force-dynamic';

// Prometheus scrapes this without a session (it has none): the bearer token from configuration
// (BACKSTONE_METRICS_TOKEN) is this handler's authentication and authorization, checked first, in
// constant time, before anything is read; proxy.ts lets /metrics through without the session cookie
// for that reason. Without a configured token the endpoint is off (403, saying how to turn it on);
// a missing or wrong token gets 401 with `WWW-Authenticate: Bearer` and reads nothing.
export async function GET(request: Request): Promise<Response> {
  const verdict = checkBearer(request.headers.get('authorization'), getConfig().metricsToken);
  const noStore = { 'Cache-Control': 'no-store' };
  if (verdict === 'off')
    return new Response('Prometheus metrics are off: set BACKSTONE_METRICS_TOKEN to turn them on.\n', {
      status: 403,
      headers: { ...noStore, 'Content-Type': 'text/plain; charset=utf-8' },
    });
  if (verdict === 'refused')
    return new Response('A valid bearer token is needed: Authorization: Bearer <BACKSTONE_METRICS_TOKEN>.\n', {
      status: 401,
      headers: {
        ...noStore,
        'Content-Type': 'text/plain; charset=utf-8',
        'WWW-Authenticate': 'Bearer realm="backstone-metrics"',
      },
    });
  try {
    return new Response(await scrape({ signal: request.signal }), {
      headers: { ...noStore, 'Content-Type': METRICS_CONTENT_TYPE },
    });
  } catch (err) {
    return toResponse(err, { action: 'metrics' });
  }
}
