import 'server-only';
import { revokeLoginToken, type OneCallOptions } from '@/lib/opennebula';
import { processWide } from '@/lib/config/process-wide';
import { logger } from '@/lib/log';
import { registerSecret } from '@/lib/log/redact';
import { getDb, type Db } from '@/lib/store';
import { endSession, endedSessionsWithToken, forgetLoginToken, sessionBySid, type SessionRecord } from './sessions';
import { unsealToken } from './token-seal';

// Each sign-in makes an OpenNebula login token valid for the session's whole absolute lifetime.
// When the session ends, by sign-out or by expiry, the token is revoked (`oneuser token-delete`),
// so it cannot outlive the session. Expired sessions are swept when one is next seen and every
// few minutes; a revocation that fails (OpenNebula unreachable) is tried again at the next sweep,
// until the token would have died by itself.

const log = logger('auth');
export const SWEEP_EVERY_MS = 5 * 60_000;

export type RevokeOptions = { now?: number; db?: Db; one?: OneCallOptions };

/** Revokes one ended session's token; true when nothing is left to revoke. */
async function revokeToken(s: SessionRecord, { now = Date.now(), db = getDb(), one }: RevokeOptions): Promise<boolean> {
  if (s.loginToken === null) return true;
  const token = unsealToken(s.loginToken);
  // Sealed with another session secret, or past the lifetime OpenNebula gave it: nothing to do.
  if (token === undefined || now > s.expiresAt) {
    forgetLoginToken(s.sid, db);
    return true;
  }
  registerSecret(token);
  try {
    await revokeLoginToken(s.username, token, one);
    forgetLoginToken(s.sid, db);
    return true;
  } catch (err) {
    log.warn('could not revoke an OpenNebula login token; will try again', {
      user: s.username,
      error: err instanceof Error ? err.message : String(err),
    });
    return false;
  }
}

/**
 * Sign-out: ends the session for good, then revokes its login token. False when the revocation
 * must wait for the next sweep (the session is ended all the same).
 */
export async function endSessionAndRevoke(sid: string, opts: RevokeOptions = {}): Promise<boolean> {
  endSession(sid, opts.now, opts.db);
  const s = sessionBySid(sid, opts.db);
  return s ? revokeToken(s, opts) : true;
}

const sweeping = processWide<{ running?: Promise<number>; timer?: NodeJS.Timeout; lastSoon?: number }>(
  'auth.token-sweep',
  () => ({}),
);
// A dead cookie sent again and again must not turn into as many OpenNebula calls.
const SOON_GAP_MS = 30_000;

async function sweep(opts: RevokeOptions): Promise<number> {
  let done = 0;
  for (const s of endedSessionsWithToken(opts.now, opts.db)) if (await revokeToken(s, opts)) done++;
  return done;
}

/** Revokes the tokens of every ended session; the number revoked. One sweep at a time. */
export function sweepEndedSessions(opts: RevokeOptions = {}): Promise<number> {
  if (sweeping.running) return sweeping.running;
  // .finally runs after this assignment even when the sweep has nothing to do.
  const running = sweep(opts).finally(() => {
    if (sweeping.running === running) sweeping.running = undefined;
  });
  sweeping.running = running;
  return running;
}

/** A session was just seen expired: sweep now, unless a sweep was asked for very recently. */
export function sweepSoon(now = Date.now()): void {
  if (sweeping.lastSoon !== undefined && now - sweeping.lastSoon < SOON_GAP_MS) return;
  sweeping.lastSoon = now;
  void sweepEndedSessions().catch(() => undefined);
}

/** Starts the periodic sweep once per process (idempotent); it never keeps the process alive. */
export function startSessionSweeper(): void {
  if (sweeping.timer) return;
  sweeping.timer = setInterval(() => void sweepEndedSessions().catch(() => undefined), SWEEP_EVERY_MS);
  sweeping.timer.unref();
}
