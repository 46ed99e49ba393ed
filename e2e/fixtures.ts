// Specs import `test` and `expect` from here. Each worker starts its own sandbox (backup server,
// front-end simulator, seeded demo cloud, the app and its scanning proxy) before its first test, on
// free ports in its own state folder, and stops it by PID when it ends: spec files that change
// OpenNebula's or the backup server's state run in parallel without meeting. The base URL points at
// the worker's app, and `signIn`, `addSession` and `sessionCookie` sign in (see each).
import { test as base, expect, type Locator, type Page } from '@playwright/test';
import { account, loadSandbox, saveSandbox, workerStateDir, type E2eSandbox } from './sandbox-env';
import { builtAction } from './support/build-manifest';
import { callAction, formOf } from './support/server-actions';
import { startWorkerSandbox } from './support/worker-sandbox';

/** Signs in through the real sign-in form and lands on the Health page: what auth.spec.ts tests. */
export async function signInWithForm(page: Page, role: 'admin' | 'user'): Promise<void> {
  const a = account(role);
  await page.goto('/login');
  await page.getByLabel('User name').fill(a.name);
  await page.getByLabel('Password').fill(a.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('signed-in-user')).toContainText(a.name);
}

/**
 * A new session of `role` as its cookie ("name=value"), made by the real sign-in action over HTTP
 * as the form posts it (React's encoding), with no browser page: the form and its landing page were
 * a third of a short test's browser time, and auth.spec.ts tests them. A new session each call, so a
 * test that signs out ends only its own.
 */
export async function sessionCookie(role: 'admin' | 'user'): Promise<string> {
  const a = account(role);
  const action = builtAction('signInAction');
  const reply = await callAction({
    baseURL: loadSandbox().baseURL,
    pagePath: '/login',
    actionId: action.id,
    args: [{ status: 'idle' }, formOf({ username: a.name, password: a.password, next: '/' })],
  });
  const cookie = reply.setCookies.map((c) => c.split(';')[0]!).find((c) => c.startsWith('backstone_session='));
  if (reply.redirect === undefined || !cookie)
    throw new Error(`signing in as ${a.name} failed: HTTP ${reply.httpStatus} ${reply.body.slice(0, 200)}`);
  return cookie;
}

/** Puts a new signed-in session of `role` in the page's browser context; loads no page. */
export async function addSession(page: Page, role: 'admin' | 'user'): Promise<void> {
  const cookie = await sessionCookie(role);
  const eq = cookie.indexOf('=');
  await page
    .context()
    .addCookies([{ name: cookie.slice(0, eq), value: cookie.slice(eq + 1), url: loadSandbox().baseURL }]);
}

/** Signs in as `role` (a new session, see sessionCookie) and opens the Health page, where signing in lands. */
export async function signIn(page: Page, role: 'admin' | 'user'): Promise<void> {
  await addSession(page, role);
  await page.goto('/');
  await expect(page.getByTestId('signed-in-user')).toContainText(account(role).name);
}

/**
 * Opens a page again (`open`) until `check` holds on it, bounded. What a spec changes outside
 * Backstone shows only once Backstone reads it again, and a page whose reads were fresh does not ask
 * again by itself.
 */
async function openUntil(open: () => Promise<unknown>, check: () => Promise<void>, timeout: number): Promise<void> {
  await expect(async () => {
    await open();
    await check();
  }).toPass({ timeout });
}

/**
 * Opens `path` until `shown` is on it (bounded). What a spec changes through the CLI (a backup, a
 * new image) shows once Backstone's short-lived OpenNebula read cache (3 s,
 * BACKSTONE_ONE_READ_CACHE_SECONDS) has turned over: a page read just before may not list it yet.
 */
export async function gotoUntilVisible(page: Page, path: string, shown: Locator, timeout = 30_000): Promise<void> {
  await openUntil(
    () => page.goto(path),
    () => expect(shown).toBeVisible({ timeout: 2_000 }),
    timeout,
  );
}

/**
 * Reloads the page until it says the lock `short` is stale (bounded). The restic that left a stale
 * lock was killed; its PID may since belong to another process (PIDs wrap at 32768 here, and a test
 * run starts tens of thousands). While that one is another restic, the page rightly says "possibly
 * active"; such a restic ends within seconds.
 */
export async function expectStaleLock(page: Page, short: string, timeout = 30_000): Promise<void> {
  await openUntil(
    () => page.reload(),
    () => expect(page.getByTestId(`lock-verdict-${short}`)).toHaveText('stale', { timeout: 2_000 }),
    timeout,
  );
}

type WorkerFixtures = {
  /** false for specs that only read what the run's sandboxes left behind (the secrets scan). */
  ownSandbox: boolean;
  workerSandbox: E2eSandbox | undefined;
};

export const test = base.extend<{ sandbox: E2eSandbox }, WorkerFixtures>({
  ownSandbox: [true, { scope: 'worker', option: true }],
  workerSandbox: [
    async ({ ownSandbox }, use, workerInfo) => {
      if (!ownSandbox) return use(undefined);
      const started = await startWorkerSandbox(workerStateDir(workerInfo.parallelIndex));
      // loadSandbox() (the support modules, hooks) reads it from this worker's environment.
      saveSandbox(started.sandbox);
      try {
        await use(started.sandbox);
      } finally {
        await started.stop();
      }
    },
    // Auto: hooks that take no fixture (beforeAll) find the sandbox too. Seeding takes minutes on a
    // loaded machine.
    { scope: 'worker', auto: true, timeout: 600_000 },
  ],
  sandbox: async ({ workerSandbox }, use) => {
    await use(workerSandbox ?? loadSandbox());
  },
  baseURL: async ({ workerSandbox }, use) => {
    await use(workerSandbox?.baseURL);
  },
});

export { expect, account };
