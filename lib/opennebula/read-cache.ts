import 'server-only';
import { createHmac, randomBytes } from 'node:crypto';
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
// - Errors are never kept; concurrent identical reads share one CLI call.
// - Kept process-wide (Next bundles each route separately), like the other shared state.
// Changes made outside Backstone (oned's own state changes, other clients) show after the TTL.

type Entry = { value: Promise<unknown>; expiresAt: number; generation: number };

type State = {
  /** Per scope (the runner: tests inject their own; production has one), key -> entry. */
  scopes: Map<unknown, Map<string, Entry>>;
  generation: number;
  hmacKey: Buffer;
};

const state = processWide<State>('opennebula.readCache', () => ({
  scopes: new Map(),
  generation: 0,
  hmacKey: randomBytes(32),
}));

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
 * The value cached under `key` when fresh, otherwise `load()` (shared with concurrent callers).
 * `ttlMs` <= 0 bypasses the cache.
 */
export function cachedRead<T>(scope: unknown, key: string, ttlMs: number, load: () => Promise<T>): Promise<T> {
  if (ttlMs <= 0) return load();
  const now = Date.now();
  let entries = state.scopes.get(scope);
  if (!entries) state.scopes.set(scope, (entries = new Map()));
  const hit = entries.get(key);
  if (hit && hit.expiresAt > now && hit.generation === state.generation) return hit.value as Promise<T>;
  for (const [k, e] of entries) if (e.expiresAt <= now) entries.delete(k);

  const generation = state.generation;
  const entry: Entry = { value: Promise.resolve(), expiresAt: Number.POSITIVE_INFINITY, generation };
  entry.value = load().then(
    (v) => {
      // Fresh for ttlMs from when the answer arrived; dropped if a write happened meanwhile.
      if (state.generation === generation) entry.expiresAt = Date.now() + ttlMs;
      else if (entries.get(key) === entry) entries.delete(key);
      return v;
    },
    (err: unknown) => {
      if (entries.get(key) === entry) entries.delete(key);
      throw err;
    },
  );
  entries.set(key, entry);
  return entry.value as Promise<T>;
}

/** Forgets every cached read, of every identity (a write through Backstone changed OpenNebula). */
export function invalidateReads(): void {
  state.generation++;
  state.scopes.clear();
}
