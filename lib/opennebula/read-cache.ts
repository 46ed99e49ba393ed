import 'server-only';
import { createHmac, randomBytes } from 'node:crypto';
import { sharedCache } from '@/lib/cache';
import { processWide } from '@/lib/config/process-wide';

// A short-lived, in-process cache of OpenNebula reads (list/show of datastores, images, VMs and
// Backup Jobs). Every CLI call starts a process (130-340 ms here, more with the real Ruby CLI), and
// one page load makes several of them; within a few seconds the answer is the same.
//
// - Keyed by who asked: the service identity (its ONE_AUTH file) or the user *and* an HMAC of their
//   secret, so a view is never served another identity's answer, nor an answer obtained with other
//   credentials (a wrong password never hits an entry the right one filled).
// - Any write through lib/opennebula (create, delete, restore, ...) empties the whole cache, for
//   every identity, before and after it runs; a read still running when a write starts is not kept.
// - Errors are never kept; concurrent identical reads share one CLI call (lib/cache, the process's
//   one cache: a read is fresh for the TTL from when it started, at most 2,000 reads are kept).
// Changes made outside Backstone (oned's own state changes, other clients) show after the TTL.

const reads = sharedCache<unknown>('opennebula.reads', { freshMs: 0, max: 2_000 });

const state = processWide('opennebula.read-cache-identities', () => ({
  hmacKey: randomBytes(32),
  /** Per scope (the runner: tests inject their own; production has one), an ID for the keys. */
  scopes: new WeakMap<object, number>(),
  nextScope: 0,
}));

function scopeKey(scope: unknown): string {
  if (typeof scope !== 'object' || scope === null) return `s:${String(scope)}`;
  let id = state.scopes.get(scope);
  if (id === undefined) state.scopes.set(scope, (id = state.nextScope++));
  return `o:${id}`;
}

/** Who asked, as a cache key part; a user's secret appears only as an HMAC with a per-process key. */
export function identityKey(
  identity: { kind: 'service'; oneAuthFile: string } | { kind: 'user'; username: string; secret: string },
): string {
  if (identity.kind === 'service') return `service\0${identity.oneAuthFile}`;
  const mac = createHmac('sha256', state.hmacKey)
    .update(`${identity.username}\0${identity.secret}`)
    .digest('base64url');
  return `user\0${identity.username}\0${mac}`;
}

/**
 * The value cached under `key` when read less than `ttlMs` ago, otherwise `load()` (shared with
 * concurrent callers). `ttlMs` <= 0 bypasses the cache. `signal` ends the caller's wait only: `load`
 * is shared, so it must not take any caller's signal.
 */
export function cachedRead<T>(
  scope: unknown,
  key: string,
  ttlMs: number,
  load: () => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  if (ttlMs <= 0) return load();
  return reads.read(`${scopeKey(scope)}\0${key}`, load, { maxAgeMs: ttlMs, signal }) as Promise<T>;
}

/** Forgets every cached read, of every identity (a write through Backstone changed OpenNebula). */
export function invalidateReads(): void {
  reads.clear();
}
