import { chownSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { controlDir, controlOptions, ensureControlDir } from './ssh-control';

const self = { switchUser: false, account: { name: 'me', uid: process.getuid!(), gid: process.getgid!(), home: '/' } };
const made: string[] = [];
/** A front-end folder of its own, so each test has its own socket folder name. */
function paths() {
  const one = mkdtempSync(join(tmpdir(), 'backstone-ssh-control-unit-'));
  made.push(one);
  made.push(controlDir({ one }));
  return { one };
}

afterEach(() => {
  for (const p of made.splice(0)) rmSync(p, { recursive: true, force: true });
});

it('makes a private socket folder short enough for a socket path, per local user', () => {
  const p = paths();
  ensureControlDir(p, self);
  expect(statSync(controlDir(p)).mode & 0o777).toBe(0o700);
  // 108 bytes for a socket path, with %i, the 40 characters of %C and the 17 ssh adds while it binds.
  expect(`${controlDir(p)}/${process.getuid!()}-${'c'.repeat(40)}.${'x'.repeat(16)}`.length).toBeLessThan(108);
  expect(controlOptions(p)).toContain(`ControlPath=${controlDir(p)}/%i-%C`);
  ensureControlDir(p, self); // again: the folder is already there and right
});

it('refuses a folder at that name that is not private, or a link, and never takes it over', () => {
  const open = paths();
  mkdirSync(controlDir(open), { mode: 0o755 });
  expect(() => ensureControlDir(open, self)).toThrow(/not a private folder/);
  expect(statSync(controlDir(open)).mode & 0o777).toBe(0o755);

  const link = paths();
  symlinkSync(link.one, controlDir(link));
  expect(() => ensureControlDir(link, self)).toThrow(/not a private folder/);
});

it.runIf(process.getuid!() === 0)(
  "as root, refuses a private folder of another user rather than making it the account's",
  () => {
    const squatted = paths();
    mkdirSync(controlDir(squatted), { mode: 0o700 });
    chownSync(controlDir(squatted), 65534, 65534);
    const account = { name: 'oneadmin', uid: 4242, gid: 4242, home: '/' };
    expect(() => ensureControlDir(squatted, { switchUser: true, account })).toThrow(/not a private folder of uid 4242/);
    expect(statSync(controlDir(squatted)).uid).toBe(65534);
  },
);
