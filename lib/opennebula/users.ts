import 'server-only';
import { registerSecret } from '@/lib/log/redact';
import type { LoginToken, User } from './models';
import { checkId, runOne, type OneCallOptions, type OneCredential } from './cli';
import { z } from 'zod';
import { OneAuthenticationFailed, OneCliError } from './errors';
import { parseUser } from './parse/user-xml';

/**
 * `oneuser show -x` as the given credentials: the user they belong to. This is the sign-in check;
 * wrong credentials give OneAuthenticationFailed.
 */
export async function whoami(cred: OneCredential, opts?: OneCallOptions): Promise<User> {
  return parseUser(await runOne(cred, { program: 'oneuser', args: ['show', '-x'], effect: 'read' }, opts));
}

/** `oneuser show -x ID`. */
export async function getUser(cred: OneCredential, id: number, opts?: OneCallOptions): Promise<User> {
  return parseUser(
    await runOne(cred, { program: 'oneuser', args: ['show', '-x', checkId(id, 'user ID')], effect: 'read' }, opts),
  );
}

// OpenNebula's own default is 36000 s; a week is plenty for a dashboard session.
const MAX_TOKEN_TTL_SECONDS = 7 * 24 * 3600;

/**
 * `oneuser token-create --time TTL --force` as the given credentials: a login token for the user
 * they belong to. Without a user name argument the CLI authenticates with ONE_AUTH and then
 * rewrites that file with the token (hence `--force` and a private copy of the credentials, even
 * for the service). It prints `Authentication Token is:` and `user:token`.
 */
export async function createLoginToken(
  cred: OneCredential,
  ttlSeconds: number,
  opts?: OneCallOptions,
): Promise<LoginToken> {
  if (!Number.isSafeInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > MAX_TOKEN_TTL_SECONDS) {
    throw new RangeError(`A token lifetime must be 1 to ${MAX_TOKEN_TTL_SECONDS} seconds, got ${ttlSeconds}`);
  }
  const out = await runOne(
    cred,
    {
      program: 'oneuser',
      args: ['token-create', '--time', checkId(ttlSeconds, 'token lifetime'), '--force'],
      copyCredentials: true,
      // A token changes nothing a cached read shows.
      effect: 'read',
    },
    opts,
  );
  return { ...parseTokenOutput(out), expiresInSeconds: ttlSeconds };
}

export function parseTokenOutput(stdout: string): { username: string; token: string } {
  const lines = stdout.split('\n').map((l) => l.trim());
  const at = lines.findIndex((l) => /^Authentication Token is:$/.test(l));
  const line = at >= 0 ? lines.slice(at + 1).find(Boolean) : undefined;
  const colon = line?.indexOf(':') ?? -1;
  if (!line || colon <= 0 || colon === line.length - 1)
    throw new OneCliError('oneuser token-create did not print a token.');
  const token = line.slice(colon + 1);
  registerSecret(token);
  return { username: line.slice(0, colon), token };
}

// The CLI takes the start of a token, not the token (argv is visible to every local user): enough
// of it to pick one of the user's few tokens (at most 10 in oned), far too little to use it.
const TOKEN_HINT_LENGTHS = [8, 16] as const;
const TokenSchema = z.string().regex(/^[A-Za-z0-9]{24,}$/, 'not an OpenNebula login token');

export type TokenRevocation = 'revoked' | 'already-gone';

/**
 * `oneuser token-delete HINT`, authenticated with the token itself: OpenNebula expires that login
 * token at once. A token OpenNebula no longer accepts (expired, or revoked before) is already gone.
 */
export async function revokeLoginToken(
  username: string,
  token: string,
  opts?: OneCallOptions,
): Promise<TokenRevocation> {
  const checked = TokenSchema.safeParse(token);
  if (!checked.success) throw new OneCliError('Backstone holds no valid OpenNebula login token to revoke.');
  registerSecret(token);
  const cred: OneCredential = { kind: 'user', username, secret: token };
  for (const length of TOKEN_HINT_LENGTHS) {
    try {
      await runOne(
        cred,
        // A token changes nothing a cached read shows.
        { program: 'oneuser', args: ['token-delete', token.slice(0, length)], effect: 'read' },
        opts,
      );
      return 'revoked';
    } catch (err) {
      if (err instanceof OneAuthenticationFailed) return 'already-gone';
      if (err instanceof OneCliError && /No tokens found/.test(err.message)) return 'already-gone';
      // Another of the user's tokens starts the same way: a longer hint tells them apart.
      if (err instanceof OneCliError && /More than one token/.test(err.message)) continue;
      throw err;
    }
  }
  throw new OneCliError('oneuser token-delete could not tell this login token from another one.');
}
