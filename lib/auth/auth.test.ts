import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '@/lib/store/db';
import { audit, recentAudit } from './audit';
import { ABSOLUTE_MS, IDLE_MS, createSession, endSession, liveSession } from './sessions';
import { checkThrottle, clearFailures, LOCK_AFTER, LOCK_MS, recordFailure, WINDOW_MS } from './throttle';

function db() {
  const d = new Database(':memory:');
  migrate(d);
  return d;
}

describe('sessions', () => {
  const user = { username: 'alice', userId: 2, isAdmin: false };

  it('live until idle too long', () => {
    const d = db();
    const s = createSession(user, 1_000, d);
    expect(s.sid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(liveSession(s.sid, 1_000 + IDLE_MS - 1, d)?.username).toBe('alice');
    // Being seen keeps it alive.
    expect(liveSession(s.sid, 1_000 + 2 * IDLE_MS - 2, d)).toBeDefined();
    expect(liveSession(s.sid, 1_000 + 4 * IDLE_MS, d)).toBeUndefined();
  });

  it('ends at the absolute expiry however active', () => {
    const d = db();
    const s = createSession(user, 0, d);
    for (let t = 0; t < ABSOLUTE_MS; t += IDLE_MS / 2) expect(liveSession(s.sid, t, d)).toBeDefined();
    expect(liveSession(s.sid, ABSOLUTE_MS + 1, d)).toBeUndefined();
  });

  it('ends for good on sign-out', () => {
    const d = db();
    const s = createSession(user, 0, d);
    endSession(s.sid, 10, d);
    expect(liveSession(s.sid, 11, d)).toBeUndefined();
    expect(liveSession('no-such-session', 11, d)).toBeUndefined();
  });
});

describe('sign-in throttling', () => {
  const keys = ['user:mallory', 'address:10.0.0.9'];

  it('slows down, then refuses a name for a while, then lets it try again', () => {
    const d = db();
    expect(checkThrottle(keys, 0, d)).toEqual({ allowed: true, delayMs: 0 });
    recordFailure(keys, 0, d);
    recordFailure(keys, 1, d);
    const slowed = checkThrottle(keys, 2, d);
    expect(slowed.allowed && slowed.delayMs).toBeGreaterThan(0);
    for (let i = 2; i < LOCK_AFTER.user; i++) recordFailure(keys, 10 + i, d);
    const refused = checkThrottle(keys, 100, d);
    expect(refused.allowed).toBe(false);
    expect(!refused.allowed && refused.retryAfterMs).toBeGreaterThan(LOCK_MS - 1_000);
    expect(checkThrottle(['user:someone-else'], 100, d)).toEqual({ allowed: true, delayMs: 0 });
    expect(checkThrottle(keys, 100 + LOCK_MS + WINDOW_MS, d).allowed).toBe(true);
  });

  it('forgets a name’s failures after a success', () => {
    const d = db();
    recordFailure(keys, 0, d);
    recordFailure(keys, 0, d);
    clearFailures([keys[0]!], d);
    expect(checkThrottle([keys[0]!], 1, d)).toEqual({ allowed: true, delayMs: 0 });
  });
});

describe('audit log', () => {
  it('records entries newest first, redacted and bounded', () => {
    const d = db();
    audit(
      {
        actor: 'alice',
        action: 'sign-in',
        target: '',
        outcome: 'failed',
        detail: 'x'.repeat(5_000),
        address: '127.0.0.1',
        at: 1,
      },
      d,
    );
    audit(
      { actor: 'oneadmin', action: 'sign-in', target: '', outcome: 'ok', detail: 'admin', address: '127.0.0.1', at: 2 },
      d,
    );
    const rows = recentAudit(10, d);
    expect(rows.map((r) => r.actor)).toEqual(['oneadmin', 'alice']);
    expect(rows[1]!.detail.length).toBe(2_000);
  });
});
