import 'server-only';
import { readFile } from 'node:fs/promises';
import { getConfig } from '@/lib/config';
import { ExpectedError } from '@/lib/errors/expected-error';
import { exec, withTempFiles, type ExecOptions, type ExecResult, type Target, type TempFile } from '@/lib/exec';
import { registerSecret } from '@/lib/log/redact';
import { z } from 'zod';
import { cliFailure } from './errors';
import { cachedRead, identityKey, invalidateReads } from './read-cache';

// Runs one OpenNebula CLI command on the front-end (locally or over SSH, per configuration) with
// the given credentials. Credentials reach the CLI only through a ONE_AUTH file: the service's
// own file when it is on the same machine, otherwise a 0600 copy in a private temp folder that
// lib/exec removes afterwards. They never appear in argv; the secret is redacted from every error.

export type OneCredential = { kind: 'service' } | { kind: 'user'; username: string; secret: string };

/** The process boundary as the verbs see it; tests inject a fake, production uses lib/exec. */
export type OneRunner = {
  exec(target: Target, argv: readonly string[], opts: ExecOptions): Promise<ExecResult>;
  withTempFiles<T>(
    target: Target,
    files: readonly TempFile[],
    fn: (paths: Record<string, string>) => Promise<T>,
  ): Promise<T>;
  /** Reads a file on Backstone's own machine (the service ONE_AUTH file). */
  readLocalFile(path: string): Promise<string>;
  frontend(): { target: Target; cliDir: string | undefined; oneAuthFile: string };
};

export type OneCallOptions = { signal?: AbortSignal; timeoutMs?: number; runner?: OneRunner };

export const defaultRunner: OneRunner = {
  exec,
  withTempFiles,
  readLocalFile: (path) => readFile(path, 'utf8'),
  frontend() {
    const { frontend, oneAuthFile } = getConfig();
    const target: Target = frontend.mode === 'local' ? { kind: 'local' } : { kind: 'ssh', host: frontend.host };
    return { target, cliDir: frontend.cliDir, oneAuthFile };
  },
};

/** A credential the CLI cannot carry; the person's session is what is wrong, so they sign in again. */
export class OneCredentialError extends ExpectedError {
  override name = 'OneCredentialError';
  readonly kind = 'invalid-input';
  override get userMessage(): string {
    return 'Your OpenNebula session cannot be used for this. Sign in again.';
  }
}

// The CLI reads ONE_AUTH as `user:secret` and strips trailing whitespace; oned splits at the first
// colon. So a user name cannot hold a colon, and neither part may carry surrounding whitespace.
const UserCredentialSchema = z.object({
  username: z
    .string()
    .regex(/^[^\s:\p{Cc}]+$/u, 'a user name cannot be empty or contain spaces, colons or control characters'),
  secret: z
    .string()
    .min(1, 'the password cannot be empty')
    .regex(/^\S(.*\S)?$/su, 'the password cannot start or end with a space')
    .regex(/^[^\p{Cc}]*$/u, 'the password cannot contain control characters'),
});

function checkCredential(cred: OneCredential): void {
  if (cred.kind !== 'user') return;
  const r = UserCredentialSchema.safeParse(cred);
  if (!r.success) throw new OneCredentialError(`Invalid credentials: ${r.error.issues[0]?.message ?? 'invalid'}.`);
}

/** An ID argument: a non-negative integer, checked before it reaches argv. */
export function checkId(id: number, what: string): string {
  if (!Number.isSafeInteger(id) || id < 0) throw new RangeError(`${what} must be a non-negative integer, got ${id}`);
  return String(id);
}

export type RunSpec = {
  program: string;
  /** The arguments after the program; a function when they name files from `files`. */
  args: readonly string[] | ((paths: Record<string, string>) => readonly string[]);
  /** Extra 0600 files written next to the ONE_AUTH copy (templates). */
  files?: readonly TempFile[];
  /** Always use a private copy of the credentials, even for the local service file (token-create rewrites it). */
  copyCredentials?: boolean;
  defaultTimeoutMs?: number;
  /**
   * What the command does to OpenNebula, for the read cache (read-cache.ts). Unset means a write:
   * it empties the cache. `read` is a read that must always ask oned (sign-in checks, tokens,
   * hosts): neither cached nor invalidating. Cached reads go through readOne instead.
   */
  effect?: 'write' | 'read';
};

const AUTH_FILE = 'one_auth';

/** Runs the command and returns its stdout; a non-zero exit becomes a typed OneError. */
export async function runOne(cred: OneCredential, spec: RunSpec, opts: OneCallOptions = {}): Promise<string> {
  checkCredential(cred);
  if (spec.effect === 'read') return run(cred, spec, opts);
  // Before (no read started from now on sees the old state) and after (nor one that raced it).
  invalidateReads();
  try {
    return await run(cred, spec, opts);
  } finally {
    invalidateReads();
  }
}

export type ReadSpec = { program: string; args: readonly string[]; defaultTimeoutMs?: number };

/**
 * A read (list/show): served from the short-lived per-identity cache when it is fresh
 * (BACKSTONE_ONE_READ_CACHE_SECONDS; 0 turns it off), otherwise run and parsed once for everyone
 * asking at the same time. Each caller gets its own copy of the parsed value.
 */
export async function readOne<T>(
  cred: OneCredential,
  spec: ReadSpec,
  parse: (stdout: string) => T | Promise<T>,
  opts: OneCallOptions = {},
): Promise<T> {
  checkCredential(cred);
  const runner = opts.runner ?? defaultRunner;
  const ttlMs = getConfig().oneReadCacheMs;
  if (ttlMs <= 0) return parse(await run(cred, spec, opts));
  // Shared with whoever asks the same meanwhile, so it runs without any caller's signal (bounded by
  // its own timeout); a caller's signal ends only that caller's wait (lib/cache/shared-cache.ts).
  const load = async () => parse(await run(cred, spec, { ...opts, signal: undefined }));
  const { target, cliDir, oneAuthFile } = runner.frontend();
  const who = cred.kind === 'service' ? identityKey({ kind: 'service', oneAuthFile }) : identityKey(cred);
  const where = target.kind === 'local' ? 'local' : `ssh\0${target.host}`;
  const key = [where, cliDir ?? '', who, spec.program, ...spec.args].join('\0');
  // Tests inject their own runner: its entries are its own.
  return structuredClone(await cachedRead(opts.runner ?? 'default', key, ttlMs, load, opts.signal));
}

async function run(cred: OneCredential, spec: RunSpec, opts: OneCallOptions): Promise<string> {
  const runner = opts.runner ?? defaultRunner;
  const { target, cliDir, oneAuthFile } = runner.frontend();
  const program = cliDir ? `${cliDir.replace(/\/+$/, '')}/${spec.program}` : spec.program;
  const useServiceFile = cred.kind === 'service' && target.kind === 'local' && !spec.copyCredentials;

  let authContent: string | undefined;
  // The service's secret is Backstone's own: remembered for every later message. A person's is
  // redacted from this call's errors only (a signed-in person's login token is remembered by
  // lib/auth; a password tried at sign-in may be any word, and OpenNebula may refuse it).
  const secrets: string[] = [];
  const redactHere: string[] = [];
  if (cred.kind === 'user') {
    authContent = `${cred.username}:${cred.secret}`;
    redactHere.push(cred.secret);
  } else if (!useServiceFile) {
    authContent = (await runner.readLocalFile(oneAuthFile)).trim();
    const serviceSecret = authContent.slice(authContent.indexOf(':') + 1);
    registerSecret(serviceSecret);
    secrets.push(serviceSecret);
  }

  const files: TempFile[] = [...(spec.files ?? [])];
  if (authContent !== undefined) files.push({ name: AUTH_FILE, content: authContent });

  const execute = async (paths: Record<string, string>) => {
    const args = typeof spec.args === 'function' ? spec.args(paths) : spec.args;
    const oneAuth = useServiceFile ? oneAuthFile : paths[AUTH_FILE]!;
    const r = await runner.exec(target, [program, ...args], {
      env: { ONE_AUTH: oneAuth },
      secrets,
      redactHere,
      signal: opts.signal,
      timeoutMs: opts.timeoutMs ?? spec.defaultTimeoutMs,
    });
    if (r.exitCode !== 0) throw cliFailure(spec.program, r.exitCode, r.stderr, r.stdout, [...secrets, ...redactHere]);
    return r.stdout;
  };
  return files.length ? runner.withTempFiles(target, files, execute) : execute({});
}
