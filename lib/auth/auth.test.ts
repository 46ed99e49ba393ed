import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '@/lib/store/db';
import { audit, recentAudit } from './audit';
import {
  ABSOLUTE_MS,
  IDLE_MS,
  createSession,
  endSession,
  endedSessionsWithToken,
  forgetLoginToken,
  liveSession,
} from './sessions';
import { sealToken, unsealToken } from './token-seal';
import { sweepEndedSessions } from './revoke';
import { resetConfigCache } from '@/lib/config';
import { LIMIT, LOCK_MS, MAX_DELAY_MS, reserveAttempt, settleAttempt, throttleKeys, WINDOW_MS } from './throttle';

function db() {
  const d = new Database(':memory:');
  migrate(d);
  return d;
}

describe('sessions', () => {
  const user = { username: 'alice', userId: 2, isAdmin: false };

  it('live until idle too long', () => {
    const d = db();
    const s = createSession(user, 'sealed-token', 1_000, d);
    expect(s.sid).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(liveSession(s.sid, 1_000 + IDLE_MS - 1, d)?.username).toBe('alice');
    // Being seen keeps it alive.
    expect(liveSession(s.sid, 1_000 + 2 * IDLE_MS - 2, d)).toBeDefined();
    expect(liveSession(s.sid, 1_000 + 4 * IDLE_MS, d)).toBeUndefined();
  });

  it('ends at the absolute expiry however active', () => {
    const d = db();
    const s = createSession(user, 'sealed-token', 0, d);
    for (let t = 0; t < ABSOLUTE_MS; t += IDLE_MS / 2) expect(liveSession(s.sid, t, d)).toBeDefined();
    expect(liveSession(s.sid, ABSOLUTE_MS + 1, d)).toBeUndefined();
  });

  it('lists ended sessions whose login token is still to be revoked, ending expired ones', () => {
    const d = db();
    const out = createSession(user, 'sealed-1', 0, d);
    const idle = createSession(user, 'sealed-2', 0, d);
    const live = createSession(user, 'sealed-3', 0, d);
    endSession(out.sid, 10, d);
    expect(liveSession(live.sid, IDLE_MS, d)).toBeDefined();
    const ended = endedSessionsWithToken(IDLE_MS + 100, d);
    expect(ended.map((s) => s.sid).sort()).toEqual([out.sid, idle.sid].sort());
    expect(ended.find((s) => s.sid === idle.sid)?.loginToken).toBe('sealed-2');
    // The idle one is ended for good, whatever happens to its token.
    expect(liveSession(idle.sid, IDLE_MS + 101, d)).toBeUndefined();
    forgetLoginToken(out.sid, d);
    forgetLoginToken(idle.sid, d);
    expect(endedSessionsWithToken(IDLE_MS + 200, d)).toEqual([]);
  });

  it('ends for good on sign-out', () => {
    const d = db();
    const s = createSession(user, 'sealed-token', 0, d);
    endSession(s.sid, 10, d);
    expect(liveSession(s.sid, 11, d)).toBeUndefined();
    expect(liveSession('no-such-session', 11, d)).toBeUndefined();
  });
});

describe('login tokens at rest', () => {
  const secret = 'a'.repeat(40);

  it('seals a token so that only the same session secret opens it', () => {
    const sealed = sealToken('0123456789abcdef0123456789abcdef', secret);
    expect(sealed).not.toContain('0123456789abcdef');
    expect(sealToken('0123456789abcdef0123456789abcdef', secret)).not.toBe(sealed);
    expect(unsealToken(sealed, secret)).toBe('0123456789abcdef0123456789abcdef');
    expect(unsealToken(sealed, 'b'.repeat(40))).toBeUndefined();
    const at = 10; // inside the IV: any change fails the authentication tag
    const altered = `${sealed.slice(0, at)}${sealed[at] === 'A' ? 'B' : 'A'}${sealed.slice(at + 1)}`;
    expect(unsealToken(altered, secret)).toBeUndefined();
    expect(unsealToken('not sealed', secret)).toBeUndefined();
  });
});

describe('the sweep of ended sessions', () => {
  const user = { username: 'alice', userId: 2, isAdmin: false };
  beforeAll(() => {
    process.env.BACKSTONE_SESSION_SECRET = 's'.repeat(40);
    resetConfigCache();
  });
  afterAll(() => {
    delete process.env.BACKSTONE_SESSION_SECRET;
    resetConfigCache();
  });

  it('sweeps again after a sweep that had nothing to do', async () => {
    const d = db();
    expect(await sweepEndedSessions({ db: d, now: 0 })).toBe(0);
    expect(await sweepEndedSessions({ db: d, now: 0 })).toBe(0);
    // Sealed with another secret: nobody can open it any more, so nothing is left to revoke.
    const s = createSession(user, sealToken('0123456789abcdef0123456789abcdef', 'o'.repeat(40)), 0, d);
    endSession(s.sid, 1, d);
    expect(await sweepEndedSessions({ db: d, now: 2 })).toBe(1);
    expect(endedSessionsWithToken(3, d)).toEqual([]);
  });

  it('does not ask OpenNebula about a token past the lifetime it was given', async () => {
    const d = db();
    createSession(user, sealToken('0123456789abcdef0123456789abcdef'), 0, d);
    expect(await sweepEndedSessions({ db: d, now: ABSOLUTE_MS + 1 })).toBe(1);
    expect(endedSessionsWithToken(ABSOLUTE_MS + 2, d)).toEqual([]);
  });
});

describe('sign-in throttling', () => {
  const at = (address: string, name = 'mallory') => throttleKeys(name, address);

  it('counts attempts before their check: attempts in flight at once see each other', () => {
    const d = db();
    const keys = at('10.0.0.9');
    const verdicts = Array.from({ length: 40 }, () => reserveAttempt(keys, 0, d));
    expect(verdicts.filter((v) => v.allowed)).toHaveLength(LIMIT.nameAddress);
    const refused = verdicts.find((v) => !v.allowed);
    expect(refused && !refused.allowed && refused.retryAfterMs).toBe(LOCK_MS);
    // Each later attempt in flight is held back longer than the one before it.
    const delays = verdicts.flatMap((v) => (v.allowed ? [v.delayMs] : []));
    expect(delays).toEqual([...delays].sort((a, b) => a - b));
    expect(delays.at(-1)).toBe(MAX_DELAY_MS);
  });

  it('slows a name down from every address but never locks it', () => {
    const d = db();
    for (let i = 0; i < 50; i++) {
      const v = reserveAttempt(at(`10.0.1.${i}`, 'oneadmin'), i, d);
      expect(v.allowed).toBe(true);
      settleAttempt(at(`10.0.1.${i}`, 'oneadmin'), 'failed', i, d);
    }
    expect(reserveAttempt(at('10.0.1.200', 'oneadmin'), 100, d)).toEqual({ allowed: true, delayMs: MAX_DELAY_MS });
  });

  it('counts upper-case spellings toward the lower-case name', () => {
    const d = db();
    for (const name of [
      'OneAdmin',
      'ONEADMIN',
      'oneAdmin',
      'Oneadmin',
      'ONEadmin',
      'oneADMIN',
      'OneADMIN',
      'ONEAdmin',
    ]) {
      expect(reserveAttempt(at('10.0.2.1', name), 0, d).allowed).toBe(true);
      settleAttempt(at('10.0.2.1', name), 'failed', 0, d);
    }
    expect(reserveAttempt(at('10.0.2.1', 'oneadmin'), 1, d).allowed).toBe(false);
    expect(reserveAttempt(at('10.0.2.2', 'oneadmin'), 1, d)).toEqual({ allowed: true, delayMs: MAX_DELAY_MS });
  });

  it('blocks an address that fails for many names, then lets it try again', () => {
    const d = db();
    for (let i = 0; i < LIMIT.address; i++)
      expect(reserveAttempt(at('10.0.3.1', `name-${i}`), 0, d).allowed).toBe(true);
    expect(reserveAttempt(at('10.0.3.1', 'someone-else'), 1, d).allowed).toBe(false);
    expect(reserveAttempt(at('10.0.3.2', 'someone-else'), 1, d)).toEqual({ allowed: true, delayMs: 0 });
    expect(reserveAttempt(at('10.0.3.1', 'someone-else'), LOCK_MS + WINDOW_MS, d).allowed).toBe(true);
  });

  it('does not count a success or an unchecked attempt as a failure', () => {
    const d = db();
    const keys = at('10.0.4.1');
    for (let i = 0; i < LIMIT.nameAddress - 1; i++) reserveAttempt(keys, 0, d);
    // The attempt that reaches the limit locks the name+address while it is in flight...
    expect(reserveAttempt(keys, 0, d).allowed).toBe(true);
    expect(reserveAttempt(keys, 0, d).allowed).toBe(false);
    // ...and unlocks it when OpenNebula could not judge it.
    settleAttempt(keys, 'unchecked', 1, d);
    expect(reserveAttempt(keys, 2, d).allowed).toBe(true);
    // A success starts the name+address afresh.
    settleAttempt(keys, 'succeeded', 3, d);
    expect(reserveAttempt(keys, 4, d).allowed).toBe(true);
    expect(reserveAttempt(keys, 4, d)).toMatchObject({ allowed: true });
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
