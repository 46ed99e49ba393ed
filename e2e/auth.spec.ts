/*
 * Sign-in with OpenNebula identities (lib/auth, app/login): anonymous requests go to sign-in, the
 * ordinary user is refused admin pages with a clear 403 page, cookies carry the right flags,
 * sign-out ends the session for good, throttling engages, audit rows are written, and every server
 * action and route handler in the build refuses an anonymous call and changes nothing.
 */
import { test, expect, signInWithForm, account } from './fixtures';
import { builtActions, builtRouteHandlers } from './support/build-manifest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cloudState, one, oneWith } from './support/one-cli';

// Actions open to anonymous callers by design: signing in makes a session; signing out of none is a no-op.
const PUBLIC_ACTIONS = new Set(['signInAction', 'signOutAction']);

test('an anonymous page request goes to sign-in and comes back after it', async ({ page }) => {
  await page.goto('/audit');
  await expect(page).toHaveURL(/\/login\?next=%2Faudit$/);
  const a = account('admin');
  await page.getByLabel('User name').fill(a.name);
  await page.getByLabel('Password').fill(a.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/audit$/);
  await expect(page.getByRole('heading', { name: 'Audit log' })).toBeVisible();
});

test('OpenNebula refusing the password gives a clear message and no session', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('User name').fill(account('user').name);
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('sign-in-message')).toHaveText('OpenNebula refused this user name and password.');
  expect((await page.context().cookies()).find((c) => c.name === 'backstone_session')).toBeUndefined();
});

test('the session cookie is HttpOnly, SameSite=Lax, and not Secure over plain http', async ({ page }) => {
  await signInWithForm(page, 'user');
  const cookie = (await page.context().cookies()).find((c) => c.name === 'backstone_session');
  expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', secure: false, path: '/' });
  // The value is sealed: the login token is not readable in it.
  expect(cookie!.value).toMatch(/^Fe26\.2\*/);
});

// Secure over https (as a trusted proxy says, BACKSTONE_TRUST_PROXY=1), and never from an untrusted
// X-Forwarded-Proto: e2e/http-hardening.spec.ts, which starts a server with that setting.

test('the ordinary user does not see admin pages and gets a clear 403 page', async ({ page }) => {
  await signInWithForm(page, 'user');
  await expect(page.getByTestId('sidebar')).not.toContainText('Audit log');
  const res = await page.goto('/audit');
  expect(res?.status()).toBe(403);
  await expect(page.getByTestId('forbidden')).toContainText('Not for your account');
});

test('sign-out ends the session for good, even for a kept copy of the cookie', async ({ page, browser, sandbox }) => {
  await signInWithForm(page, 'admin');
  const kept = (await page.context().cookies()).find((c) => c.name === 'backstone_session')!;
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login/);
  const other = await browser.newContext({ baseURL: sandbox.baseURL });
  await other.addCookies([kept]);
  const p2 = await other.newPage();
  await p2.goto('/');
  await expect(p2).toHaveURL(/\/login/);
  await other.close();
});

/** The login tokens OpenNebula holds for a user (oneadmin may read them). */
function loginTokens(name: string): string[] {
  return [...one('oneuser', 'show', '-x', name).matchAll(/<TOKEN>(?:<!\[CDATA\[)?([^<\]]+)/g)].map((m) => m[1]!);
}

/** Whether OpenNebula accepts this user:token, asked as a person would (ONE_AUTH in a 0600 file). */
function oneAccepts(name: string, token: string): boolean {
  const dir = mkdtempSync(join(tmpdir(), 'e2e-token-'));
  try {
    writeFileSync(join(dir, 'one_auth'), `${name}:${token}\n`, { mode: 0o600 });
    oneWith(join(dir, 'one_auth'), 'oneuser', 'show', '-x');
    return true;
  } catch {
    return false;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test('sign-out revokes the OpenNebula login token its sign-in made', async ({ page }) => {
  const name = account('user').name;
  const before = new Set(loginTokens(name));
  await signInWithForm(page, 'user');
  const made = loginTokens(name).filter((t) => !before.has(t));
  expect(made).toHaveLength(1);
  expect(oneAccepts(name, made[0]!)).toBe(true);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login/);
  expect(loginTokens(name)).not.toContain(made[0]);
  expect(oneAccepts(name, made[0]!)).toBe(false);
});

test('repeated failures for a name are slowed down, then refused for a while', async ({ page }) => {
  test.setTimeout(120_000);
  await page.goto('/login');
  let message = '';
  for (let i = 0; i < 12 && !message.startsWith('Too many'); i++) {
    await page.getByLabel('User name').fill('mallory');
    await page.getByLabel('Password').fill(`guess-${i}`);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('button', { name: 'Sign in' })).toBeEnabled({ timeout: 20_000 });
    message = (await page.getByTestId('sign-in-message').textContent()) ?? '';
  }
  expect(message).toMatch(
    /^Too many failed sign-ins for this name or from this address\. Try again in \d+ minutes?\.$/,
  );
  // Another person from the same address can still sign in.
  await signInWithForm(page, 'user');
});

test('sign-ins are audited, and admins can read the audit log', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('User name').fill(account('user').name);
  await page.getByLabel('Password').fill('wrong');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('sign-in-message')).not.toBeEmpty();
  await signInWithForm(page, 'user');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await signInWithForm(page, 'admin');
  await page.goto('/audit');
  const table = page.getByTestId('audit-table');
  const user = account('user').name;
  await expect(
    table.locator('tr', { hasText: 'sign-in' }).filter({ hasText: user }).filter({ hasText: 'failed' }).first(),
  ).toBeVisible();
  await expect(
    table.locator('tr', { hasText: 'sign-in' }).filter({ hasText: user }).filter({ hasText: 'ok' }).first(),
  ).toBeVisible();
  await expect(table.locator('tr', { hasText: 'sign-out' }).filter({ hasText: user }).first()).toBeVisible();
});

const PROBES = new Set(['/api/health', '/api/ready']);

test('every server action and route handler refuses an anonymous call and changes nothing', async ({
  playwright,
  sandbox,
}) => {
  const actions = builtActions();
  expect(actions.length).toBeGreaterThan(0);
  const before = cloudState();
  const anon = await playwright.request.newContext({ baseURL: sandbox.baseURL });
  for (const a of actions) {
    const res = await anon.post(a.pagePath, {
      headers: { 'Next-Action': a.id, 'Content-Type': 'text/plain;charset=UTF-8', Accept: 'text/x-component' },
      data: '[]',
      maxRedirects: 0,
    });
    const body = await res.text();
    const label = `${a.filename}#${a.exportedName}`;
    if (PUBLIC_ACTIONS.has(a.exportedName)) {
      expect(res.status(), label).toBeLessThan(500);
    } else {
      expect(body, label).toContain('"unauthenticated"');
    }
  }
  for (const path of builtRouteHandlers()) {
    for (const method of ['GET', 'POST'] as const) {
      const res = await anon.fetch(path, { method, maxRedirects: 0 });
      // Liveness and readiness are for load balancers and systemd: they answer anyone, with
      // "ok"/"failing" per part and nothing else (scripts/package.int.test.ts checks their bodies).
      const allowed = PROBES.has(path) && method === 'GET' ? [200, 503] : [401, 403, 405];
      expect(allowed, `${method} ${path}`).toContain(res.status());
    }
  }
  await anon.dispose();
  expect(cloudState()).toBe(before);
});
