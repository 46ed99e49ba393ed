// Specs import `test` and `expect` from here: the base URL points at the sandboxed app, and
// `signIn` signs in through the real form.
import { test as base, expect, type Page } from '@playwright/test';
import { account, loadSandbox, type E2eSandbox } from './sandbox-env';

export async function signIn(page: Page, role: 'admin' | 'user'): Promise<void> {
  const a = account(role);
  await page.goto('/login');
  await page.getByLabel('User name').fill(a.name);
  await page.getByLabel('Password').fill(a.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('signed-in-user')).toContainText(a.name);
}

export const test = base.extend<{ sandbox: E2eSandbox }>({
  sandbox: async ({}, use) => {
    await use(loadSandbox());
  },
  baseURL: async ({}, use) => {
    await use(loadSandbox().baseURL);
  },
});

export { expect, account };
