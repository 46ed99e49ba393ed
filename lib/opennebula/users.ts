import 'server-only';
import { registerSecret } from '@/lib/log/redact';
import type { LoginToken, User } from './models';
import { checkId, runOne, type OneCallOptions, type OneCredential } from './cli';
import { OneCliError } from './errors';
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
