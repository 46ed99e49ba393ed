import 'server-only';
import { randomBytes } from 'node:crypto';
import { getDb, type Db } from '@/lib/store';

// Server-side session records: sign-out and expiry end a session for good, even if someone kept
// a copy of its cookie. The session's OpenNebula login token is kept here, sealed (token-seal.ts),
// never in the cookie: the browser never holds it, and Backstone can revoke it when the session
// ends, by sign-out or by expiry (revoke.ts).

export const IDLE_MS = 30 * 60_000;
export const ABSOLUTE_MS = 12 * 3600_000;
const TOUCH_EVERY_MS = 60_000;

export type SessionRecord = {
  sid: string;
  username: string;
  userId: number;
  isAdmin: boolean;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
  /** The sealed login token; null once revoked (or for a session from before tokens were kept). */
  loginToken: string | null;
};

type Row = {
  sid: string;
  username: string;
  user_id: number;
  is_admin: number;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  ended_at: number | null;
  login_token: string | null;
};

function record(r: Row, lastSeenAt = r.last_seen_at): SessionRecord {
  return {
    sid: r.sid,
    username: r.username,
    userId: r.user_id,
    isAdmin: r.is_admin === 1,
    createdAt: r.created_at,
    lastSeenAt,
    expiresAt: r.expires_at,
    loginToken: r.login_token,
  };
}

export function createSession(
  user: { username: string; userId: number; isAdmin: boolean },
  loginToken: string,
  now = Date.now(),
  db: Db = getDb(),
): SessionRecord {
  const rec: SessionRecord = {
    sid: randomBytes(32).toString('base64url'),
    ...user,
    createdAt: now,
    lastSeenAt: now,
    expiresAt: now + ABSOLUTE_MS,
    loginToken,
  };
  db.prepare(
    'INSERT INTO sessions (sid, username, user_id, is_admin, created_at, last_seen_at, expires_at, login_token) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  ).run(
    rec.sid,
    rec.username,
    rec.userId,
    rec.isAdmin ? 1 : 0,
    rec.createdAt,
    rec.lastSeenAt,
    rec.expiresAt,
    rec.loginToken,
  );
  return rec;
}

function expired(r: Row, now: number): boolean {
  return now - r.last_seen_at > IDLE_MS || now > r.expires_at;
}

/** The live session with this ID (not ended, not idle too long, not past its absolute expiry). */
export function liveSession(sid: string, now = Date.now(), db: Db = getDb()): SessionRecord | undefined {
  const r = db.prepare<[string], Row>('SELECT * FROM sessions WHERE sid = ?').get(sid);
  if (!r || r.ended_at !== null) return undefined;
  if (expired(r, now)) {
    db.prepare('UPDATE sessions SET ended_at = ? WHERE sid = ?').run(now, sid);
    return undefined;
  }
  if (now - r.last_seen_at > TOUCH_EVERY_MS)
    db.prepare('UPDATE sessions SET last_seen_at = ? WHERE sid = ?').run(now, sid);
  return record(r, now);
}

export function endSession(sid: string, now = Date.now(), db: Db = getDb()): void {
  db.prepare('UPDATE sessions SET ended_at = ? WHERE sid = ? AND ended_at IS NULL').run(now, sid);
}

/**
 * Sessions that have ended (signed out, idle too long, past their absolute expiry) but whose login
 * token has not been revoked yet. Ends the expired ones on the way.
 */
export function endedSessionsWithToken(now = Date.now(), db: Db = getDb()): SessionRecord[] {
  const rows = db.prepare<[], Row>('SELECT * FROM sessions WHERE login_token IS NOT NULL').all();
  const ended = rows.filter((r) => r.ended_at !== null || expired(r, now));
  const end = db.prepare('UPDATE sessions SET ended_at = ? WHERE sid = ? AND ended_at IS NULL');
  db.transaction(() => {
    for (const r of ended) if (r.ended_at === null) end.run(now, r.sid);
  })();
  return ended.map((r) => record(r));
}

/** The session's token is revoked (or dead): nothing is left to revoke. */
export function forgetLoginToken(sid: string, db: Db = getDb()): void {
  db.prepare('UPDATE sessions SET login_token = NULL WHERE sid = ?').run(sid);
}

/** The session with this ID, live or ended (to revoke its token at sign-out). */
export function sessionBySid(sid: string, db: Db = getDb()): SessionRecord | undefined {
  const r = db.prepare<[string], Row>('SELECT * FROM sessions WHERE sid = ?').get(sid);
  return r && record(r);
}
