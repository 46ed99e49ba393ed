import 'server-only';
import { getDb, type Db } from '@/lib/store';

// Sign-in throttling, per user name and per address: after a couple of failures each attempt is
// slowed down, and after too many within the window the key is refused for a while.

export const WINDOW_MS = 15 * 60_000;
export const LOCK_MS = 15 * 60_000;
// An address is shared by everyone behind one proxy or NAT, so it may fail more often than a name.
export const LOCK_AFTER = { user: 8, address: 40 } as const;

function lockAfter(key: string): number {
  return key.startsWith('address:') ? LOCK_AFTER.address : LOCK_AFTER.user;
}
const SLOW_AFTER = 2;
const MAX_DELAY_MS = 4_000;

type Row = { failures: number; window_start: number; locked_until: number | null };

export type ThrottleVerdict = { allowed: true; delayMs: number } | { allowed: false; retryAfterMs: number };

function row(db: Db, key: string, now: number): Row | undefined {
  const r = db
    .prepare<[string], Row>('SELECT failures, window_start, locked_until FROM sign_in_failures WHERE key = ?')
    .get(key);
  if (!r) return undefined;
  if (now - r.window_start > WINDOW_MS && (r.locked_until ?? 0) <= now) return undefined;
  return r;
}

/** May an attempt go ahead for these keys, and how long should it be held back first? */
export function checkThrottle(keys: readonly string[], now = Date.now(), db: Db = getDb()): ThrottleVerdict {
  let delayMs = 0;
  for (const key of keys) {
    const r = row(db, key, now);
    if (!r) continue;
    if (r.locked_until && r.locked_until > now) return { allowed: false, retryAfterMs: r.locked_until - now };
    if (r.failures >= SLOW_AFTER)
      delayMs = Math.max(delayMs, Math.min(MAX_DELAY_MS, 250 * 2 ** (r.failures - SLOW_AFTER)));
  }
  return { allowed: true, delayMs };
}

export function recordFailure(keys: readonly string[], now = Date.now(), db: Db = getDb()): void {
  const upsert = db.prepare(
    'INSERT OR REPLACE INTO sign_in_failures (key, failures, window_start, locked_until) VALUES (?, ?, ?, ?)',
  );
  db.transaction(() => {
    for (const key of keys) {
      const r = row(db, key, now);
      const failures = (r?.failures ?? 0) + 1;
      upsert.run(key, failures, r?.window_start ?? now, failures >= lockAfter(key) ? now + LOCK_MS : null);
    }
  })();
}

export function clearFailures(keys: readonly string[], db: Db = getDb()): void {
  const del = db.prepare('DELETE FROM sign_in_failures WHERE key = ?');
  for (const key of keys) del.run(key);
}
