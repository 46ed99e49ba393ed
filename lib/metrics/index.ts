import 'server-only';
import { collectMetrics } from './collect';
import { renderMetrics } from './render';

// GET /metrics for Prometheus: what the pages know, in the Prometheus text format.

export { checkBearer, type TokenVerdict } from './token';
export { METRICS_CONTENT_TYPE, renderMetrics } from './render';
export { collectMetrics } from './collect';
export type { MetricsFacts } from './facts';

/** One scrape's body, answered within `answerWithinMs` (the pages' bound by default). */
export async function scrape(opts: { answerWithinMs?: number; signal?: AbortSignal } = {}): Promise<string> {
  return renderMetrics(await collectMetrics(opts));
}
