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
import { checkSignIn, type SignInCheck } from './check-sign-in';

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
