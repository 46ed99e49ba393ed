import 'server-only';
import { randomBytes } from 'node:crypto';
import { getDb, type Db } from '@/lib/store';

// Server-side session records: sign-out and expiry end a session for good, even if someone kept
// a copy of its cookie. The OpenNebula login token lives only in the sealed cookie, never here.

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
};

export function createSession(
  user: { username: string; userId: number; isAdmin: boolean },
  now = Date.now(),
  db: Db = getDb(),
): SessionRecord {
  const rec: SessionRecord = {
    sid: randomBytes(32).toString('base64url'),
    ...user,
    createdAt: now,
    lastSeenAt: now,
    expiresAt: now + ABSOLUTE_MS,
  };
  db.prepare(
    'INSERT INTO sessions (sid, username, user_id, is_admin, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  ).run(rec.sid, rec.username, rec.userId, rec.isAdmin ? 1 : 0, rec.createdAt, rec.lastSeenAt, rec.expiresAt);
  return rec;
}

/** The live session with this ID (not ended, not idle too long, not past its absolute expiry). */
export function liveSession(sid: string, now = Date.now(), db: Db = getDb()): SessionRecord | undefined {
  const r = db.prepare<[string], Row>('SELECT * FROM sessions WHERE sid = ?').get(sid);
  if (!r || r.ended_at !== null) return undefined;
  if (now - r.last_seen_at > IDLE_MS || now > r.expires_at) {
    db.prepare('UPDATE sessions SET ended_at = ? WHERE sid = ?').run(now, sid);
    return undefined;
  }
  if (now - r.last_seen_at > TOUCH_EVERY_MS)
    db.prepare('UPDATE sessions SET last_seen_at = ? WHERE sid = ?').run(now, sid);
  return {
    sid: r.sid,
    username: r.username,
    userId: r.user_id,
    isAdmin: r.is_admin === 1,
    createdAt: r.created_at,
    lastSeenAt: now,
    expiresAt: r.expires_at,
  };
}

export function endSession(sid: string, now = Date.now(), db: Db = getDb()): void {
  db.prepare('UPDATE sessions SET ended_at = ? WHERE sid = ? AND ended_at IS NULL').run(now, sid);
}
