// Specs import `test` and `expect` from here: the base URL points at the sandboxed app.
import { test as base, expect } from '@playwright/test';
import { loadSandbox } from './sandbox-env';

export const test = base.extend<{ sandbox: { stateDir: string; baseURL: string } }>({
  sandbox: async ({}, use) => {
    await use(loadSandbox());
  },
  baseURL: async ({}, use) => {
    await use(loadSandbox().baseURL);
  },
});

export { expect };
