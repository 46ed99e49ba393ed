import 'server-only';
import { getDb, type Db } from '@/lib/store';

// Sign-in throttling. Three counters per attempt, counted BEFORE the password is checked (so
// attempts made at the same time see each other) and settled afterwards:
//   - per name: slows attempts down (a delay), never refuses them. A hard lock per name would let
//     anyone lock any account, oneadmin included, from anywhere.
//   - per name+address: refused after LIMIT.nameAddress attempts: a guesser gets that many
//     guesses for a name from one address.
//   - per address: refused after LIMIT.address attempts, whatever the names tried.
// Names are case-folded here: OpenNebula's names are case-sensitive, but "OneAdmin" guesses count
// against "oneadmin" so case variants give no extra guesses. Since the name alone never blocks,
// the real user from an address that has not been failing still gets in (only slowed down).

export const WINDOW_MS = 15 * 60_000;
export const LOCK_MS = 15 * 60_000;
// An address is shared by everyone behind one proxy or NAT, so it may fail more often than a name.
export const LIMIT = { nameAddress: 8, address: 40 } as const;
const SLOW_AFTER = 2;
export const MAX_DELAY_MS = 4_000;

export type ThrottleKeys = { name: string; nameAddress: string; address: string };

/** The counters an attempt for this name from this address counts against. */
export function throttleKeys(username: string, address: string): ThrottleKeys {
  const name = username.normalize('NFKC').toLowerCase();
  const addr = address || 'unknown';
  return { name: `name:${name}`, nameAddress: `name-address:${name}\u0000${addr}`, address: `address:${addr}` };
}

export type ThrottleVerdict = { allowed: true; delayMs: number } | { allowed: false; retryAfterMs: number };

/** How an attempt counted by reserveAttempt ended. */
export type AttemptOutcome =
  /** OpenNebula refused the password: it stays counted. */
  | 'failed'
  /** The right password: not a failure, and the name+address counter starts afresh. */
  | 'succeeded'
  /** The password was never judged (OpenNebula unreachable, bad input): not counted. */
  | 'unchecked';

type Row = { failures: number; window_start: number; locked_until: number | null };

function row(db: Db, key: string, now: number): Row | undefined {
  const r = db
    .prepare<[string], Row>('SELECT failures, window_start, locked_until FROM sign_in_failures WHERE key = ?')
    .get(key);
  if (!r) return undefined;
  // A spent lock starts afresh, as does a window that has passed.
  if (r.locked_until !== null ? r.locked_until <= now : now - r.window_start > WINDOW_MS) return undefined;
  return r;
}

function put(db: Db, key: string, r: Row): void {
  if (r.failures <= 0) {
    db.prepare('DELETE FROM sign_in_failures WHERE key = ?').run(key);
    return;
  }
  db.prepare(
    'INSERT OR REPLACE INTO sign_in_failures (key, failures, window_start, locked_until) VALUES (?, ?, ?, ?)',
  ).run(key, r.failures, r.window_start, r.locked_until);
}

function delayFor(failures: number): number {
  return failures < SLOW_AFTER ? 0 : Math.min(MAX_DELAY_MS, 250 * 2 ** (failures - SLOW_AFTER));
}

/**
 * Counts an attempt before its password is checked, in one write transaction (so neither
 * concurrent requests nor other processes on the same store can slip between check and count):
 * refused when its name+address or its address is locked, else allowed after `delayMs`.
 */
export function reserveAttempt(keys: ThrottleKeys, now = Date.now(), db: Db = getDb()): ThrottleVerdict {
  return db
    .transaction((): ThrottleVerdict => {
      const hard = [
        [keys.nameAddress, LIMIT.nameAddress],
        [keys.address, LIMIT.address],
      ] as const;
      const rows = hard.map(([key]) => row(db, key, now));
      const retryAfterMs = Math.max(0, ...rows.map((r) => (r?.locked_until ?? now) - now));
      if (retryAfterMs > 0) return { allowed: false, retryAfterMs };

      const nameRow = row(db, keys.name, now);
      const delayMs = delayFor(nameRow?.failures ?? 0);
      put(db, keys.name, {
        failures: (nameRow?.failures ?? 0) + 1,
        window_start: nameRow?.window_start ?? now,
        locked_until: null,
      });
      hard.forEach(([key, limit], i) => {
        const r = rows[i];
        const failures = (r?.failures ?? 0) + 1;
        put(db, key, {
          failures,
          window_start: r?.window_start ?? now,
          locked_until: failures >= limit ? now + LOCK_MS : null,
        });
      });
      return { allowed: true, delayMs };
    })
    .immediate();
}

/** Settles an attempt reserveAttempt let through, once OpenNebula has answered (or not). */
export function settleAttempt(keys: ThrottleKeys, outcome: AttemptOutcome, now = Date.now(), db: Db = getDb()): void {
  if (outcome === 'failed') return;
  db.transaction(() => {
    const uncount = (key: string, limit: number) => {
      const r = row(db, key, now);
      if (!r) return;
      const failures = r.failures - 1;
      put(db, key, { ...r, failures, locked_until: failures >= limit ? r.locked_until : null });
    };
    uncount(keys.name, Infinity);
    uncount(keys.address, LIMIT.address);
    if (outcome === 'succeeded') put(db, keys.nameAddress, { failures: 0, window_start: now, locked_until: null });
    else uncount(keys.nameAddress, LIMIT.nameAddress);
  }).immediate();
}
