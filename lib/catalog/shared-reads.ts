import 'server-only';
import { processWide } from '@/lib/config/process-wide';
import { ExpectedError } from '@/lib/errors/expected-error';

// Reads of the backup server shared by every caller of the process, and answered within a bound.
// The pattern the overview started with (answer within 2 s with what is known, the read goes on and
// the next caller joins it), made one thing: a read runs at most once per key at a time, whoever
// asks; its last value is kept with the time it was read; a caller who may not wait longer gets
// that value marked stale, or "still reading" when none was ever read. A shared read never takes a
// caller's AbortSignal: a caller who leaves stops waiting, the read goes on for the others.

/**
 * How soon a page or route handler answers, whatever the backup server and restic do (OpenNebula's
 * own reads aside). Each restic process costs ~0.5 s of the backup server's CPU for the key alone,
 * and a busy or hung server can take minutes: the page shows what is known by then, says how old
 * it is, and asks again; the reads go on meanwhile.
 */
export const ANSWER_WITHIN_MS = 2_000;

/** How old what a bounded answer shows is, and why it is not newer. */
export type Freshness =
  | { state: 'fresh'; readAt: number }
  /** `slow`: a newer read is still running; `failed`: the newer read failed with `message`. */
  | { state: 'stale'; readAt: number; reason: 'slow' | 'failed'; message?: string }
  /** Nothing was ever read; the read goes on. */
  | { state: 'reading' };

export type Answer<T> = { value: T; freshness: Freshness } | { value?: undefined; freshness: { state: 'reading' } };

type Known<T> = { value: T; readAt: number };

export type SharedReads<T> = {
  /**
   * The value: the known one when it was read within `maxAgeMs` (default: the reads' own), else the
   * read running for this key (started when none runs). `signal` aborts this caller's wait only.
   */
  read: (key: string, make: () => Promise<T>, opts?: { signal?: AbortSignal; maxAgeMs?: number }) => Promise<T>;
  /**
   * As `read`, but answers within `waitMs`: what the read gave by then, else the last known value
   * marked stale, else "reading". A failed read with nothing known before it throws its error.
   */
  within: (
    key: string,
    make: () => Promise<T>,
    waitMs: number,
    opts?: { signal?: AbortSignal; maxAgeMs?: number },
  ) => Promise<Answer<T>>;
  /** What is known of a key, however old. */
  peek: (key: string) => { value: T; readAt: number } | undefined;
  /** Forgets what is known of a key (after a change Backstone made itself); a running read still ends. */
  forget: (key: string) => void;
};

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

/** `p`'s value when it settles within `waitMs`, else undefined (`p` goes on); its failure is thrown. */
export async function valueWithin<T>(p: Promise<T>, waitMs: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = Symbol('late');
  const v = await Promise.race([
    p,
    new Promise<typeof late>((r) => (timer = setTimeout(() => r(late), Math.max(0, waitMs)))),
  ]).finally(() => clearTimeout(timer));
  return v === late ? undefined : (v as T);
}

/** Rejects when `signal` aborts, without touching what `p` waits for. */
export function waitOrAbort<T>(p: Promise<T>, signal?: AbortSignal): Promise<T> {
  if (!signal) return p;
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e as Error);
      },
    );
  });
}

/**
 * A process-wide family of shared reads. `freshMs`: how long a value is served without reading
 * again (0: every caller reads, but joins a read already running); at most `max` keys are kept.
 */
export function sharedReads<T>(name: string, opts: { freshMs: number; max?: number }): SharedReads<T> {
  const max = opts.max ?? 1_000;
  const state = processWide(`shared-reads.${name}`, () => ({
    running: new Map<string, Promise<T>>(),
    known: new Map<string, Known<T>>(),
    // Bumped by forget: a read started before it must not bring back what it replaced.
    generation: new Map<string, number>(),
  }));

  const start = (key: string, make: () => Promise<T>): Promise<T> => {
    const running = state.running.get(key);
    if (running) return running;
    const generation = state.generation.get(key) ?? 0;
    const startedAt = Date.now();
    const p = make().then((value) => {
      if ((state.generation.get(key) ?? 0) === generation) {
        state.known.delete(key);
        state.known.set(key, { value, readAt: startedAt });
        for (const k of state.known.keys()) {
          if (state.known.size <= max) break;
          state.known.delete(k);
        }
      }
      return value;
    });
    state.running.set(key, p);
    const done = () => {
      if (state.running.get(key) === p) state.running.delete(key);
    };
    p.then(done, done);
    return p;
  };

  const freshEnough = (key: string, maxAgeMs = opts.freshMs): Known<T> | undefined => {
    const k = state.known.get(key);
    return k && Date.now() - k.readAt < maxAgeMs ? k : undefined;
  };

  return {
    read: (key, make, o = {}) => {
      const k = freshEnough(key, o.maxAgeMs);
      return k ? Promise.resolve(k.value) : waitOrAbort(start(key, make), o.signal);
    },
    within: async (key, make, waitMs, o = {}) => {
      const k = freshEnough(key, o.maxAgeMs);
      if (k) return { value: k.value, freshness: { state: 'fresh', readAt: k.readAt } };
      const read = start(key, make);
      let timer: NodeJS.Timeout | undefined;
      const outcome = await waitOrAbort(
        Promise.race([
          read.then(
            (value) => ({ value }),
            (error: unknown) => ({ error }),
          ),
          new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), Math.max(0, waitMs)))),
        ]),
        o.signal,
      ).finally(() => clearTimeout(timer));
      if (outcome !== 'late' && 'value' in outcome) {
        return {
          value: outcome.value,
          freshness: { state: 'fresh', readAt: state.known.get(key)?.readAt ?? Date.now() },
        };
      }
      const last = state.known.get(key);
      if (outcome === 'late') {
        return last
          ? { value: last.value, freshness: { state: 'stale', readAt: last.readAt, reason: 'slow' } }
          : { freshness: { state: 'reading' } };
      }
      if (!last) throw outcome.error;
      const message = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
      return { value: last.value, freshness: { state: 'stale', readAt: last.readAt, reason: 'failed', message } };
    },
    peek: (key) => state.known.get(key),
    forget: (key) => {
      state.known.delete(key);
      state.generation.set(key, (state.generation.get(key) ?? 0) + 1);
    },
  };
}
