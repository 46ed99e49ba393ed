import 'server-only';
import { audit } from './audit';
import { checkSignIn } from './check-sign-in';
import { clearSessionCookie, readSessionCookie, writeSessionCookie } from './cookie';
import { requestAddress } from './guard';
import { endSessionAndRevoke, startSessionSweeper } from './revoke';
import { createSession } from './sessions';
import { sealToken } from './token-seal';

export type SignInOutcome =
  { status: 'ok'; username: string } | { status: 'failed' | 'throttled' | 'unavailable'; message: string };

/** Signs a person in: the check (check-sign-in.ts), then a server-side session and its cookie. */
export async function signIn(username: string, password: string): Promise<SignInOutcome> {
  startSessionSweeper();
  const checked = await checkSignIn({ username, password, address: await requestAddress() });
  if (checked.status !== 'ok') return checked;
  const { user, token } = checked;
  const session = createSession({ username: user.name, userId: user.id, isAdmin: user.isAdmin }, sealToken(token));
  await writeSessionCookie({ sid: session.sid, username: user.name });
  return { status: 'ok', username: user.name };
}

export async function signOut(): Promise<void> {
  const c = await readSessionCookie();
  if (c) {
    const revoked = await endSessionAndRevoke(c.sid);
    audit({
      actor: c.username,
      action: 'sign-out',
      target: '',
      outcome: 'ok',
      detail: revoked ? 'login token revoked' : 'login token to be revoked at the next sweep',
      address: await requestAddress(),
    });
  }
  await clearSessionCookie();
}
