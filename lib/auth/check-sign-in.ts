import 'server-only';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLoginToken, OneAuthenticationFailed, whoami, type OneCredential, type User } from '@/lib/opennebula';
import { ExecError } from '@/lib/exec';
import { redact, registerSecret } from '@/lib/log/redact';
import { logger } from '@/lib/log';
import { audit } from './audit';
import { ABSOLUTE_MS } from './sessions';
import { reserveAttempt, settleAttempt, throttleKeys } from './throttle';

// The sign-in check itself, apart from the request it came in (cookies, headers): throttling,
// OpenNebula's verdict on the name and password, a login token, and the audit row.

const log = logger('auth');

export type SignInAttempt = { username: string; password: string; address: string };

export type SignInCheck =
  { status: 'ok'; user: User; token: string } | { status: 'failed' | 'throttled' | 'unavailable'; message: string };

function minutes(ms: number): string {
  const m = Math.ceil(ms / 60_000);
  return m === 1 ? '1 minute' : `${m} minutes`;
}

/**
 * Checks the name and password with OpenNebula (through a ONE_AUTH file, never argv), then gets a
 * login token for the person's later OpenNebula calls.
 */
export async function checkSignIn({ username, password, address }: SignInAttempt): Promise<SignInCheck> {
  // The password is masked in this attempt's messages only, never remembered for every later one:
  // a password tried here may be any word ("wrong", "state"), and remembering guesses would let
  // any visitor garble everyone's messages and push real secrets out of the redaction list.
  const keys = throttleKeys(username, address);
  // Counted before OpenNebula sees the password: attempts running at the same time count too.
  const verdict = reserveAttempt(keys);
  if (!verdict.allowed) {
    audit({ actor: username, action: 'sign-in', target: '', outcome: 'refused', detail: 'throttled', address });
    return {
      status: 'throttled',
      message: `Too many failed sign-ins for this name or from this address. Try again in ${minutes(verdict.retryAfterMs)}.`,
    };
  }
  if (verdict.delayMs > 0) await sleep(verdict.delayMs);

  const cred: OneCredential = { kind: 'user', username, secret: password };
  try {
    const user = await whoami(cred);
    const token = await createLoginToken(cred, Math.floor(ABSOLUTE_MS / 1000));
    registerSecret(token.token);
    settleAttempt(keys, 'succeeded');
    audit({
      actor: user.name,
      action: 'sign-in',
      target: '',
      outcome: 'ok',
      detail: user.isAdmin ? 'admin' : 'user',
      address,
    });
    return { status: 'ok', user, token: token.token };
  } catch (err) {
    if (err instanceof OneAuthenticationFailed) {
      settleAttempt(keys, 'failed');
      audit({
        actor: username,
        action: 'sign-in',
        target: '',
        outcome: 'failed',
        detail: 'OpenNebula refused the credentials',
        address,
      });
      return { status: 'failed', message: 'OpenNebula refused this user name and password.' };
    }
    settleAttempt(keys, 'unchecked');
    const error = redact(err instanceof Error ? err.message : String(err), [password]);
    log.error('sign-in could not reach OpenNebula', { error });
    audit({
      actor: username,
      action: 'sign-in',
      target: '',
      outcome: 'failed',
      detail: 'OpenNebula unavailable',
      address,
    });
    const why = err instanceof ExecError ? redact(err.message, [password]) : 'the OpenNebula command line failed';
    return { status: 'unavailable', message: `Backstone could not check your credentials with OpenNebula: ${why}` };
  }
}
