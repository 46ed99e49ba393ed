// Sign-in throttling and login-token revocation against the sandbox OpenNebula front-end, through
// the real sign-in check (lib/opennebula -> lib/exec -> the sandbox CLI). A shim in front of the
// CLI notes each `oneuser` subcommand it is asked for (never its credentials), so the test counts
// how many guesses really reached OpenNebula.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFrontend, type FrontendInfo } from '@/sandbox/opennebula/frontend';
import { shq } from '@/sandbox/common/shell-quote';
import { stopSandbox } from '@/sandbox/status';
import { resetConfigCache } from '@/lib/config';
import { closeDb } from '@/lib/store';
import { run } from '@/sandbox/common/process';
import { one } from '@/sandbox/opennebula/test-support';
import { OneAuthenticationFailed, whoami } from '@/lib/opennebula';
import { checkSignIn, type SignInCheck } from './check-sign-in';
import { endSessionAndRevoke, sweepEndedSessions } from './revoke';
import { createSession, IDLE_MS, liveSession } from './sessions';
import { sealToken } from './token-seal';
import { redact } from '@/lib/log/redact';

const ONEADMIN_PASSWORD = 'sandbox-oneadmin';
const ENV_KEYS = ['BACKSTONE_ONE_CLI_DIR', 'BACKSTONE_ONE_AUTH', 'BACKSTONE_DATA_DIR', 'BACKSTONE_SESSION_SECRET'];

let stateDir: string;
let info: FrontendInfo;
let callLog: string;

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'backstone-signin-'));
  chmodSync(stateDir, 0o755);
  info = await startFrontend(stateDir);
  const shimDir = join(stateDir, 'cli-shim');
  mkdirSync(shimDir);
  callLog = join(stateDir, 'oneuser-calls.log');
  writeFileSync(callLog, '');
  writeFileSync(
    join(shimDir, 'oneuser'),
    `#!/bin/sh\nprintf '%s\\n' "$1" >> ${shq(callLog)}\nexec ${shq(join(info.commandDir, 'oneuser'))} "$@"\n`,
    { mode: 0o755 },
  );
  process.env.BACKSTONE_ONE_CLI_DIR = shimDir;
  process.env.BACKSTONE_ONE_AUTH = info.accounts.find((a) => a.name === 'oneadmin')!.oneAuth;
  process.env.BACKSTONE_DATA_DIR = join(stateDir, 'backstone-data');
  process.env.BACKSTONE_SESSION_SECRET = randomBytes(36).toString('base64url');
  resetConfigCache();
}, 170_000);

afterAll(async () => {
  closeDb();
  for (const k of ENV_KEYS) delete process.env[k];
  resetConfigCache();
  if (stateDir) {
    await stopSandbox(stateDir);
    rmSync(stateDir, { recursive: true, force: true });
  }
});

/** How many times OpenNebula was asked to check a password (`oneuser show`) since the last call. */
let seen = 0;
function passwordChecks(): number {
  const lines = readFileSync(callLog, 'utf8').split('\n').filter(Boolean);
  const shows = lines.slice(seen).filter((l) => l === 'show').length;
  seen = lines.length;
  return shows;
}

function statuses(results: SignInCheck[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of results) out[r.status] = (out[r.status] ?? 0) + 1;
  return out;
}

describe('sign-in throttling', () => {
  it('counts an attempt before the password is checked: 40 at once give OpenNebula at most 8 guesses', async () => {
    passwordChecks();
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        checkSignIn({ username: 'alice', password: `wrong-guess-${i}`, address: '10.1.0.1' }),
      ),
    );
    const checks = passwordChecks();
    expect(checks).toBeGreaterThan(0);
    expect(checks).toBeLessThanOrEqual(8);
    expect(statuses(results)).toEqual({ failed: checks, throttled: 40 - checks });
  });

  it('lets the right password in from a clean address after 8 failures from 8 addresses', async () => {
    const failures = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        checkSignIn({ username: 'oneadmin', password: `wrong-guess-${i}`, address: `10.2.0.${i + 1}` }),
      ),
    );
    expect(statuses(failures)).toEqual({ failed: 8 });
    const ok = await checkSignIn({ username: 'oneadmin', password: ONEADMIN_PASSWORD, address: '10.2.0.9' });
    expect(ok).toMatchObject({ status: 'ok', user: { name: 'oneadmin', isAdmin: true } });
  });

  it('counts upper-case spellings toward the name, blocking only where they failed', async () => {
    passwordChecks();
    const spellings = ['OneAdmin', 'ONEADMIN', 'oneAdmin', 'Oneadmin'];
    const failures = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        checkSignIn({ username: spellings[i % 4]!, password: `wrong-guess-${i}`, address: '10.3.0.1' }),
      ),
    );
    expect(statuses(failures)).toEqual({ failed: 8 });
    expect(passwordChecks()).toBe(8);
    // The address that failed 8 times for this name is refused, whatever the spelling...
    const again = await checkSignIn({ username: 'oneadmin', password: ONEADMIN_PASSWORD, address: '10.3.0.1' });
    expect(again).toMatchObject({ status: 'throttled' });
    expect(passwordChecks()).toBe(0);
    // ...while the real user from an address that was not failing still gets in.
    const ok = await checkSignIn({ username: 'oneadmin', password: ONEADMIN_PASSWORD, address: '10.3.0.2' });
    expect(ok).toMatchObject({ status: 'ok', user: { name: 'oneadmin' } });
  });
});

describe('a refused password is not a secret of Backstone', () => {
  it('a wrong password tried at sign-in (any word) is not masked in later messages for everyone', async () => {
    // A visitor who tries the password "wrong" must not garble "wrong state" in every later error
    // message and log line, nor push the real secrets out of the redaction list with guesses.
    const r = await checkSignIn({ username: 'alice', password: 'wrong', address: '10.4.0.1' });
    expect(r.status).toBe('failed');
    expect(redact('Could not create a new backup for VM 14, wrong state BACKUP.')).toBe(
      'Could not create a new backup for VM 14, wrong state BACKUP.',
    );
  });
});

describe('login tokens end with their session', () => {
  let n = 0;
  /** `oneuser show` run as a person would, with the token in a ONE_AUTH file of its own. */
  async function showWithToken(username: string, token: string) {
    const file = join(stateDir, `token-auth-${++n}`);
    writeFileSync(file, `${username}:${token}\n`, { mode: 0o600 });
    try {
      return await run(join(info.commandDir, 'oneuser'), ['show', '-x'], { env: { ...process.env, ONE_AUTH: file } });
    } finally {
      rmSync(file, { force: true });
    }
  }

  async function signedIn(username: string, password: string, address: string, now = Date.now()) {
    const r = await checkSignIn({ username, password, address });
    if (r.status !== 'ok') throw new Error(`sign-in failed: ${r.status}`);
    const session = createSession(
      { username: r.user.name, userId: r.user.id, isAdmin: r.user.isAdmin },
      sealToken(r.token),
      now,
    );
    expect((await showWithToken(username, r.token)).code).toBe(0);
    return { session, token: r.token };
  }

  it('revokes the token at sign-out: OpenNebula refuses it afterwards', async () => {
    const kept = await signedIn('alice', 'sandbox-alice', '10.4.0.1');
    const out = await signedIn('alice', 'sandbox-alice', '10.4.0.1');
    expect(await endSessionAndRevoke(out.session.sid)).toBe(true);
    expect(liveSession(out.session.sid)).toBeUndefined();
    const refused = await showWithToken('alice', out.token);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain("User couldn't be authenticated");
    await expect(whoami({ kind: 'user', username: 'alice', secret: out.token })).rejects.toBeInstanceOf(
      OneAuthenticationFailed,
    );
    // Only that session's token: another session of the same person goes on working.
    expect((await showWithToken('alice', kept.token)).code).toBe(0);
    // Signing out again (a kept copy of the cookie) changes nothing and fails nothing.
    expect(await endSessionAndRevoke(out.session.sid)).toBe(true);
    expect(await endSessionAndRevoke(kept.session.sid)).toBe(true);
    expect((await showWithToken('alice', kept.token)).code).not.toBe(0);
  });

  it('revokes the token of a session that expired, at the next sweep', async () => {
    const start = Date.now();
    const idle = await signedIn('oneadmin', ONEADMIN_PASSWORD, '10.5.0.1', start);
    const live = await signedIn('oneadmin', ONEADMIN_PASSWORD, '10.5.0.1', start + IDLE_MS);
    const later = start + IDLE_MS + 60_000;
    expect(await sweepEndedSessions({ now: later })).toBeGreaterThanOrEqual(1);
    expect((await showWithToken('oneadmin', idle.token)).code).not.toBe(0);
    expect(liveSession(idle.session.sid, later)).toBeUndefined();
    expect((await showWithToken('oneadmin', live.token)).code).toBe(0);
    expect(liveSession(live.session.sid, later)).toBeDefined();
    // Nothing is left to revoke.
    expect(await sweepEndedSessions({ now: later })).toBe(0);
  });
});

describe("the sandbox's oneuser token-delete, as the real CLI answers", () => {
  it('refuses an ambiguous or unknown hint on stdout with exit 1, and removes exactly one token', async () => {
    const tokens: string[] = [];
    for (let i = 0; i < 2; i++) {
      const r = await one(info, 'alice', 'oneuser', 'token-create', 'alice', '--time', '600');
      expect(r.code, r.stderr).toBe(0);
      tokens.push(r.stdout.trim().split('\n').at(-1)!.split(':')[1]!);
    }
    const ambiguous = await one(info, 'alice', 'oneuser', 'token-delete', '');
    expect(ambiguous).toMatchObject({ code: 1, stdout: "More than one token starting with '' found.\n" });
    const unknown = await one(info, 'alice', 'oneuser', 'token-delete', 'zz');
    expect(unknown).toMatchObject({ code: 1, stdout: 'No tokens found.\n' });
    const removed = await one(info, 'alice', 'oneuser', 'token-delete', tokens[0]!.slice(0, 12));
    expect(removed).toMatchObject({ code: 0, stdout: 'Token removed.\n' });
    const left = (await one(info, 'alice', 'oneuser', 'show', '-x')).stdout;
    expect(left).not.toContain(tokens[0]!);
    expect(left).toContain(tokens[1]!);
  });
});
