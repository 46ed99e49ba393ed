import 'server-only';
import { ExpectedError } from '@/lib/errors/expected-error';

// Reads of the backup server answered within a bound. The reads themselves are shared through the
// process's one cache (lib/cache: one read per key, a caller's signal stops only its own wait, the
// last value kept with its age); what is the catalog's own is the bound and what a caller gets
// when nothing is known by then.
export { valueWithin, waitOrAbort, type Answer, type Freshness } from '@/lib/cache';

/**
 * How soon a page or route handler answers, whatever the backup server and restic do (OpenNebula's
 * own reads aside). Each restic process costs ~0.5 s of the backup server's CPU for the key alone,
 * and a busy or hung server can take minutes: the page shows what is known by then, says how old
 * it is, and asks again; the reads go on meanwhile.
 */
export const ANSWER_WITHIN_MS = 2_000;

/**
 * What a route handler or page cannot answer yet: the backup server has not said it within the
 * bound and nothing was read before (a 503 with Retry-After for the API; a page says so and asks
 * again).
 */
export class StillReading extends ExpectedError {
  override name = 'StillReading';
  readonly kind = 'unavailable';
  override readonly retryAfterSeconds = 2;
}
