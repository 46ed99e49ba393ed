import 'server-only';
import { sealData, unsealData } from 'iron-session';
import { cookies, headers } from 'next/headers';
import { getConfig } from '@/lib/config';
import { ABSOLUTE_MS } from './sessions';
import { sessionSecret } from './secret';

// The session cookie: sealed (signed and encrypted) by iron-session with the session secret;
// HttpOnly, SameSite=Lax, Secure when served over https (as a trusted reverse proxy says). It
// names the server-side session only: the OpenNebula login token stays on the server (sessions.ts).

export const SESSION_COOKIE = 'backstone_session';

export type SessionCookie = { sid: string; username: string };

async function secure(): Promise<boolean> {
  const { secureCookies: mode, trustProxy } = getConfig().session;
  if (mode !== 'auto') return mode === 'always';
  // Backstone itself speaks plain HTTP: https can only be a trusted proxy's word. Anyone else's
  // X-Forwarded-Proto is the client's own claim and decides nothing.
  if (!trustProxy) return false;
  const h = await headers();
  return (h.get('x-forwarded-proto') ?? '').split(',')[0]?.trim() === 'https';
}

export async function readSessionCookie(): Promise<SessionCookie | undefined> {
  const value = (await cookies()).get(SESSION_COOKIE)?.value;
  if (!value) return undefined;
  try {
    const data = await unsealData<Partial<SessionCookie>>(value, {
      password: sessionSecret(),
      ttl: ABSOLUTE_MS / 1000,
    });
    return typeof data.sid === 'string' && typeof data.username === 'string'
      ? { sid: data.sid, username: data.username }
      : undefined;
  } catch {
    return undefined;
  }
}

/** Only from server actions and route handlers, where Next lets a response set cookies. */
export async function writeSessionCookie(data: SessionCookie): Promise<void> {
  const sealed = await sealData(
    { sid: data.sid, username: data.username },
    { password: sessionSecret(), ttl: ABSOLUTE_MS / 1000 },
  );
  (await cookies()).set(SESSION_COOKIE, sealed, {
    httpOnly: true,
    sameSite: 'lax',
    secure: await secure(),
    path: '/',
    maxAge: Math.floor(ABSOLUTE_MS / 1000),
  });
}

export async function clearSessionCookie(): Promise<void> {
  (await cookies()).set(SESSION_COOKIE, '', {
    httpOnly: true,
    sameSite: 'lax',
    secure: await secure(),
    path: '/',
    maxAge: 0,
  });
}
