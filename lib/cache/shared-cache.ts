import 'server-only';
import { LRUCache } from 'lru-cache';
import { processWide } from '@/lib/config/process-wide';

// THE cache of the process: every in-memory cache of Backstone is one of these (snapshot files,
// diffs and dumps, listings, inventories, OpenNebula reads, stored sizes, lock inspections), so
// there is one set of rules for sharing, age, bounds and aborts:
//
// - One read per key at a time, whoever asks: a caller who finds a read running joins it
//   (lru-cache's fetchMethod keeps the in-flight read in the entry).
// - A shared read never takes a caller's AbortSignal. `make` gets none; each caller's `signal` only
//   stops its own wait (it rejects with the signal's reason), the read goes on for the others and
//   its value is kept. What bounds a read is its own timeout (lib/exec), not a viewer leaving.
// - A value is kept with the time its read started (`readAt`) and served without reading again
//   while younger than `freshMs` (per cache; a caller may ask for younger with `maxAgeMs`). Older
//   values stay known, with their age, for bounded answers (`within`) until evicted.
// - At most `max` keys, least recently used out first.
// - A failed read is never kept: its waiters get the error, the next caller reads again, and a
//   value known before it stays known.
// - `forget` / `clear` drop what is known at once; a read running then still answers the callers
//   already waiting, but its value is not kept (it may predate the change that made us forget), and
//   the next caller starts a new read.

/**
 * How old what a bounded answer shows is, and why it is not newer.
 */
export type Freshness =
  | { state: 'fresh'; readAt: number }
  /** `slow`: a newer read is still running; `failed`: the newer read failed with `message`. */
  | { state: 'stale'; readAt: number; reason: 'slow' | 'failed'; message?: string }
  /** Nothing was ever read; the read goes on. */
  | { state: 'reading' };

export type Answer<T> = { value: T; freshness: Freshness } | { value?: undefined; freshness: { state: 'reading' } };

export type Known<T> = { value: T; readAt: number };

export type ReadOptions = {
  /** Stops this caller's wait only. */
  signal?: AbortSignal;
  /** Serve a known value only when younger than this (default: the cache's `freshMs`). */
  maxAgeMs?: number;
};

export type SharedCache<T> = {
  /** The known value when fresh enough, else the read running for this key (started when none runs). */
  read: (key: string, make: () => Promise<T>, opts?: ReadOptions) => Promise<T>;
  /**
   * As `read`, but answers within `waitMs`: what the read gave by then, else the last known value
   * marked stale, else "reading". A failed read with nothing known before it throws its error.
   */
  within: (key: string, make: () => Promise<T>, waitMs: number, opts?: ReadOptions) => Promise<Answer<T>>;
  /** What is known of a key, however old (a running read aside). */
  peek: (key: string) => Known<T> | undefined;
  /** Keeps a value worked out elsewhere (caches of values rather than reads). */
  set: (key: string, value: T, readAt?: number) => void;
  /** Forgets a key (after a change Backstone made itself); a running read still answers its waiters. */
  forget: (key: string) => void;
  /** Forgets every key. */
  clear: () => void;
};

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
 * A process-wide cache named `name` (one per name however many route bundles load it). `freshMs`:
 * how long a value is served without reading again (0: every caller reads, but joins a read already
 * running; Infinity: immutable facts); `max`: how many keys are kept.
 */
export function sharedCache<T>(name: string, opts: { freshMs: number; max?: number }): SharedCache<T> {
  const lru = processWide(
    `shared-cache.${name}`,
    () =>
      new LRUCache<string, Known<T>, () => Promise<T>>({
        max: opts.max ?? 1_000,
        // The caller's make, with no signal: lru-cache's own (aborted when the key is forgotten or
        // evicted) is not passed on either, so nothing but the read's own bounds ends it.
        fetchMethod: async (_key, _stale, { context: make }) => {
          const readAt = Date.now();
          return { value: await make(), readAt };
        },
        // Forgotten or evicted while reading: the read still answers its waiters, and is not kept.
        ignoreFetchAbort: true,
        // A failed read puts back the value known before it (and drops the key when there was none).
        noDeleteOnFetchRejection: true,
      }),
  );

  const freshEnough = (key: string, maxAgeMs = opts.freshMs): Known<T> | undefined => {
    const k = lru.peek(key);
    if (!k || Date.now() - k.readAt >= maxAgeMs) return undefined;
    lru.get(key); // used: the last to be evicted
    return k;
  };

  // The running read for the key (joined), or a new one. fetch never sees a caller's signal.
  const start = (key: string, make: () => Promise<T>): Promise<Known<T>> =>
    lru.fetch(key, { context: make, forceRefresh: true }) as Promise<Known<T>>;

  return {
    read: async (key, make, o = {}) => {
      const k = freshEnough(key, o.maxAgeMs);
      if (k) return k.value;
      return (await waitOrAbort(start(key, make), o.signal)).value;
    },
    within: async (key, make, waitMs, o = {}) => {
      const k = freshEnough(key, o.maxAgeMs);
      if (k) return { value: k.value, freshness: { state: 'fresh', readAt: k.readAt } };
      const read = start(key, make);
      let timer: NodeJS.Timeout | undefined;
      const outcome = await waitOrAbort(
        Promise.race([
          read.then(
            (known) => ({ known }),
            (error: unknown) => ({ error }),
          ),
          new Promise<'late'>((r) => (timer = setTimeout(() => r('late'), Math.max(0, waitMs)))),
        ]),
        o.signal,
      ).finally(() => clearTimeout(timer));
      if (outcome !== 'late' && 'known' in outcome)
        return { value: outcome.known.value, freshness: { state: 'fresh', readAt: outcome.known.readAt } };
      const last = lru.peek(key);
      if (outcome === 'late') {
        return last
          ? { value: last.value, freshness: { state: 'stale', readAt: last.readAt, reason: 'slow' } }
          : { freshness: { state: 'reading' } };
      }
      if (!last) throw outcome.error;
      const message = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
      return { value: last.value, freshness: { state: 'stale', readAt: last.readAt, reason: 'failed', message } };
    },
    peek: (key) => lru.peek(key),
    set: (key, value, readAt = Date.now()) => void lru.set(key, { value, readAt }),
    forget: (key) => void lru.delete(key),
    clear: () => lru.clear(),
  };
}
