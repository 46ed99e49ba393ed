import 'server-only';
import { sharedCache, type Answer, type Freshness } from '@/lib/cache';
import { ExpectedError, isExpectedError } from '@/lib/errors/expected-error';

// Reads of the backup server answered within a bound. The reads themselves are shared through the
// process's one cache (lib/cache: one read per key, a caller's signal stops only its own wait, the
// last value kept with its age); what is the catalog's own is the bound and what a caller gets
// when nothing is known by then.
export { valueWithin, waitOrAbort, type Answer, type Freshness } from '@/lib/cache';

/**
 * How soon a page or route handler answers, whatever the backup server, restic or OpenNebula's CLI
 * do (openNebulaWithin below bounds the CLI's reads for pages). Each restic process costs ~0.5 s of the backup server's CPU for the key alone,
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

/** A value a page shows, with how fresh it is. */
export type Bounded<T> = { value: T; freshness: Freshness };

// OpenNebula's reads for pages: the last answer of each (reader, what) pair, kept with its age. The
// CLI's own read cache (lib/opennebula) is short-lived and keeps no stale value; this one does, so
// a page can show the last list when oned is slow instead of waiting for it.
const openNebulaReads = sharedCache<unknown>('catalog.opennebula-page-reads', { freshMs: 0, max: 1_000 });

/**
 * An OpenNebula read for a page, answered within the pages' bound as the backup server's are: the
 * read's value when it comes in time, else the last value read (stale, with its age; the read goes
 * on), else StillReading. `key` names who reads and what: a view is never served to another reader.
 */
export async function openNebulaWithin<T>(
  key: string,
  load: () => Promise<T>,
  opts: { what: string; answerWithinMs?: number; signal?: AbortSignal },
): Promise<Bounded<T>> {
  const answer = (await openNebulaReads.within(key, load, opts.answerWithinMs ?? ANSWER_WITHIN_MS, {
    ...(opts.signal ? { signal: opts.signal } : {}),
  })) as Answer<T>;
  if (answer.value === undefined)
    throw new StillReading(`Backstone is still reading ${opts.what} from OpenNebula. This page asks again shortly.`);
  return { value: answer.value, freshness: answer.freshness };
}

// OpenNebula's reads of one object for pages (`onevm show`, `onebackupjob show`, `onedatastore show
// [--decrypt]`, with what a page reads beside them). A read that says the object is not there (or
// not the reader's to see: the same 404) is kept as such, so a deleted object is "not found", never
// the last value read before it went.
type Seen<T> = { found: T } | { gone: unknown };
const openNebulaObjects = sharedCache<Seen<unknown>>('catalog.opennebula-object-reads', { freshMs: 0, max: 2_000 });

/**
 * One OpenNebula object for a page, within the pages' bound as openNebulaWithin: its value when
 * the read comes in time, else the last value read (stale, with its age), else StillReading. When
 * OpenNebula said the object is not there (a 404-kind error), that error is thrown, also as the
 * last answer while oned is slow. Only for reads: a write waits for OpenNebula's answer.
 */
export async function openNebulaObjectWithin<T>(
  key: string,
  load: () => Promise<T>,
  opts: { what: string; answerWithinMs?: number; signal?: AbortSignal },
): Promise<Bounded<T>> {
  const seen = async (): Promise<Seen<unknown>> => {
    try {
      return { found: await load() };
    } catch (err) {
      if (isExpectedError(err) && err.status === 404) return { gone: err };
      throw err;
    }
  };
  const answer = await openNebulaObjects.within(key, seen, opts.answerWithinMs ?? ANSWER_WITHIN_MS, {
    ...(opts.signal ? { signal: opts.signal } : {}),
  });
  if (answer.value === undefined)
    throw new StillReading(`Backstone is still reading ${opts.what} from OpenNebula. This page asks again shortly.`);
  if ('gone' in answer.value) throw answer.value.gone;
  return { value: answer.value.found as T, freshness: answer.freshness };
}

/** Who reads, for the keys of per-reader reads: a view is never served to another reader. */
export const readerKey = (reader: { username: string; isAdmin: boolean }): string =>
  `${reader.isAdmin ? 'admin' : 'user'}\0${reader.username}`;

/** The least fresh of several reads behind one page: still reading, else the oldest stale one, else fresh. */
export function leastFresh(...all: Freshness[]): Freshness {
  if (all.some((f) => f.state === 'reading')) return { state: 'reading' };
  const stale = all.filter((f) => f.state === 'stale').sort((a, b) => a.readAt - b.readAt);
  if (stale[0]) return stale[0];
  const fresh = all.filter((f) => f.state === 'fresh').sort((a, b) => a.readAt - b.readAt);
  return fresh[0] ?? { state: 'fresh', readAt: Date.now() };
}
