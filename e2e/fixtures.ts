// Specs import `test` and `expect` from here. Each worker starts its own sandbox (backup server,
// front-end simulator, seeded demo cloud, the app and its scanning proxy) before its first test, on
// free ports in its own state folder, and stops it by PID when it ends: spec files that change
// OpenNebula's or the backup server's state run in parallel without meeting. The base URL points at
// the worker's app, and `signIn` signs in through the real form.
import { test as base, expect, type Browser, type Page } from '@playwright/test';
import { account, loadSandbox, saveSandbox, workerStateDir, type E2eSandbox } from './sandbox-env';
import { startWorkerSandbox } from './support/worker-sandbox';

export async function signIn(page: Page, role: 'admin' | 'user'): Promise<void> {
  const a = account(role);
  await page.goto('/login');
  await page.getByLabel('User name').fill(a.name);
  await page.getByLabel('Password').fill(a.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('signed-in-user')).toContainText(a.name);
}

/** The signed-in cookie of `role`, for specs that send requests without a page (server actions, routes). */
export async function sessionCookie(browser: Browser, role: 'admin' | 'user'): Promise<string> {
  const context = await browser.newContext({ baseURL: loadSandbox().baseURL });
  const page = await context.newPage();
  await signIn(page, role);
  const cookies = await context.cookies();
  await context.close();
  return cookies.map((c) => `${c.name}=${c.value}`).join('; ');
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
