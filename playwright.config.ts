import { defineConfig } from '@playwright/test';
import { CHROMIUM_LAUNCH } from './scripts/test-support/chromium';

// The app and its sandbox are started once by e2e/global-setup.ts (a real backup server, the
// front-end simulator and `next start`), on free ports, and stopped by PID afterwards.
export default defineConfig({
  testDir: './e2e',
  testMatch: '**/*.spec.ts',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  outputDir: './test-results/e2e',
  reporter: [['list'], ['json', { outputFile: process.env.BACKSTONE_E2E_JSON ?? 'test-results/e2e.json' }]],
  // The secrets scan reads what the whole run left behind: it runs after every other spec.
  projects: [
    { name: 'e2e', testIgnore: '**/secrets-scan.spec.ts' },
    { name: 'secrets', testMatch: '**/secrets-scan.spec.ts', dependencies: ['e2e'] },
  ],
  globalSetup: './e2e/global-setup.ts',
  globalTeardown: './e2e/global-teardown.ts',
  use: {
    browserName: 'chromium',
    headless: true,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: CHROMIUM_LAUNCH,
  },
});
