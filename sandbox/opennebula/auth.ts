// Who is calling: the CLI reads `user:password` (or `user:token`) from the file named by ONE_AUTH,
// else ~/.one/one_auth, as OpenNebula's Ruby client does; oned checks it against the user pool.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { authenticationError, OneError } from './errors';
import { sha256 } from './store/initial-db';
import type { Db, User } from './store/types';

export type Session = { user: User; uid: number; gid: number; uname: string; gname: string; admin: boolean };

/** The credentials line of the auth file, or an error worded as the Ruby client words it. */
export function authFile(env: NodeJS.ProcessEnv): string {
  return env.ONE_AUTH || join(env.HOME || homedir(), '.one', 'one_auth');
}

export function readCredentials(env: NodeJS.ProcessEnv): string {
  const file = authFile(env);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new OneError('ONE_AUTH file not present');
  }
  return text.split('\n')[0]!.trim();
}

/** oned's core authentication: the password's SHA-256, or a live login token. */
export function authenticate(db: Db, credentials: string, method: string, now: number): Session {
  const sep = credentials.indexOf(':');
  const name = sep === -1 ? credentials : credentials.slice(0, sep);
  const secret = sep === -1 ? '' : credentials.slice(sep + 1);
  const user = db.users.find((u) => u.name === name);
  if (!user) throw authenticationError(method);
  const byPassword = sha256(secret) === user.password;
  const byToken = user.tokens.some((t) => t.token === secret && (t.expiration === -1 || t.expiration > now));
  if (!byPassword && !byToken) throw authenticationError(method);
  const gname = db.groups.find((g) => g.id === user.gid)?.name ?? '';
  return { user, uid: user.id, gid: user.gid, uname: user.name, gname, admin: user.gid === 0 };
}
