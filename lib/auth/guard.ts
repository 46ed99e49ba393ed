import 'server-only';
import { forbidden, redirect } from 'next/navigation';
import { headers } from 'next/headers';
import { cache } from 'react';
import type { OneCredential } from '@/lib/opennebula';
import { getConfig } from '@/lib/config';
import { registerSecret } from '@/lib/log/redact';
import { readSessionCookie } from './cookie';
import { liveSession } from './sessions';
import { audit } from './audit';
import { startSessionSweeper, sweepSoon } from './revoke';
import { unsealToken } from './token-seal';

// The one guard: every page, server action and route handler asks it first. A viewer is a
// signed-in person; their OpenNebula calls use their own login token, so OpenNebula's ACLs decide
// what they see. Admin = member of OpenNebula's oneadmin group.

export type Role = 'user' | 'admin';

export type Viewer = {
  sid: string;
  username: string;
  userId: number;
  isAdmin: boolean;
  /** The person's own OpenNebula identity (their login token, never their password). */
  credential: OneCredential;
};

/** The signed-in person of this request, or null. Cached for the request. */
export const getViewer = cache(async (): Promise<Viewer | null> => {
  startSessionSweeper();
  const c = await readSessionCookie();
  if (!c) return null;
  const s = liveSession(c.sid);
  if (!s) {
    // Just expired, most likely: its login token goes now rather than at the next periodic sweep.
    sweepSoon();
    return null;
  }
  const token = s.loginToken === null ? undefined : unsealToken(s.loginToken);
  if (s.username !== c.username || token === undefined) return null;
  registerSecret(token);
  return {
    sid: s.sid,
    username: s.username,
    userId: s.userId,
    isAdmin: s.isAdmin,
    credential: { kind: 'user', username: s.username, secret: token },
  };
});

/** For pages: the viewer, or a redirect to sign-in (back here afterwards). */
export async function requireViewer(returnTo = '/'): Promise<Viewer> {
  const v = await getViewer();
  if (!v) redirect(`/login?next=${encodeURIComponent(returnTo)}`);
  return v;
}

/** For admin pages: non-admins get the 403 page. */
export async function requireAdmin(returnTo = '/'): Promise<Viewer> {
  const v = await requireViewer(returnTo);
  if (!v.isAdmin) forbidden();
  return v;
}

/** Set by server.js from the TCP connection; a client's own value is replaced there. */
const PEER_HEADER = 'x-backstone-peer';

export type Refusal = { status: 'unauthenticated' | 'forbidden'; message: string };

/**
 * The client's address, for throttling and the audit log. server.js sets X-Backstone-Peer from the
 * TCP connection (replacing whatever a client sent); X-Forwarded-For counts only when an admin says
 * a reverse proxy sets it (BACKSTONE_TRUST_PROXY=1), since anyone can send one.
 */
export async function requestAddress(): Promise<string> {
  const h = await headers();
  const forwarded = getConfig().session.trustProxy
    ? (h.get('x-forwarded-for') ?? h.get('x-real-ip') ?? '').split(',')[0]?.trim()
    : undefined;
  return forwarded || (h.get(PEER_HEADER) ?? '').trim();
}

/**
 * For server actions and route handlers: the viewer when allowed, else a refusal (audited).
 * `action` names what was attempted, for the audit log.
 */
export async function authorize(
  role: Role,
  action: string,
): Promise<{ viewer: Viewer; refusal?: never } | { viewer?: never; refusal: Refusal }> {
  const v = await getViewer();
  if (!v) {
    audit({
      actor: 'anonymous',
      action,
      target: '',
      outcome: 'refused',
      detail: 'not signed in',
      address: await requestAddress(),
    });
    return { refusal: { status: 'unauthenticated', message: 'Your session has ended. Sign in again.' } };
  }
  if (role === 'admin' && !v.isAdmin) {
    audit({
      actor: v.username,
      action,
      target: '',
      outcome: 'refused',
      detail: 'not an admin',
      address: await requestAddress(),
    });
    return { refusal: { status: 'forbidden', message: 'Only members of the oneadmin group may do this.' } };
  }
  return { viewer: v };
}

/** Route handlers: a JSON 401/403 for a refusal. */
export function refusalResponse(r: Refusal): Response {
  return Response.json({ error: r.message }, { status: r.status === 'unauthenticated' ? 401 : 403 });
}
