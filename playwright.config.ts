import { defineConfig } from '@playwright/test';
import { CHROMIUM_LAUNCH } from './scripts/test-support/chromium';

// Each worker starts its own sandbox (a real backup server, the front-end simulator, the seeded demo
// cloud and `next start`) on free ports in its own state folder, and stops it by PID when it ends
// (e2e/fixtures.ts). Global setup only makes the run folder.
// Three workers on the 2-core machine: each spec file runs in order on one worker and many wait
// (on restic, on deadlines, on OpenNebula's states), so with two the run ended on one long file
// while the other worker was idle.
const workers = Number(process.env.BACKSTONE_E2E_WORKERS ?? 3);

export default defineConfig<object, { ownSandbox: boolean }>({
  testDir: './e2e',
  testMatch: '**/*.spec.ts',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  workers,
  // Tests within a file keep their order (some build on what the previous one did).
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  outputDir: './test-results/e2e',
  reporter: [
    ['list'],
    ['json', { outputFile: process.env.BACKSTONE_E2E_JSON ?? 'test-results/e2e.json' }],
    ['./e2e/support/slowest-reporter.ts'],
  ],
  // The secrets scan reads what every worker's sandbox left behind: it runs after every other spec,
  // once their workers have stopped, and starts no sandbox of its own.
  projects: [
    { name: 'e2e', testIgnore: '**/secrets-scan.spec.ts' },
    {
      name: 'secrets',
      testMatch: '**/secrets-scan.spec.ts',
      dependencies: ['e2e'],
      use: { ownSandbox: false },
    },
  ],
  globalSetup: './e2e/global-setup.ts',
  globalTeardown: './e2e/global-teardown.ts',
  use: {
    browserName: 'chromium',
    headless: true,
    screenshot: 'only-on-failure',
    // A trace records every action of every test (DOM snapshots, screencast) and is kept only for
    // a failure: on the 2-core machine that is CPU the tests need, and CI keeps only the log.
    // BACKSTONE_E2E_TRACE=1 turns it on to debug a failure locally.
    trace: process.env.BACKSTONE_E2E_TRACE === '1' ? 'retain-on-failure' : 'off',
    launchOptions: CHROMIUM_LAUNCH,
    // One browser context (and page) per worker, reset by Playwright between tests: it clears
    // cookies, cache, local storage and IndexedDB of the origins visited, closes extra pages, removes
    // routes, init scripts and bindings, uninstalls the clock and re-applies the emulation options.
    // A new context per test started a new renderer process for its first page, ~1 CPU-s of
    // Chromium per test on the 2-core machine (measured: the whole run 736 -> 680 CPU-s). Not reset,
    // so never used on the shared context (scripts/e2e-context-reuse.test.ts refuses them in specs):
    // grantPermissions, setGeolocation, setOffline, setExtraHTTPHeaders. A test that needs any of
    // these, or a context of its own, makes one with browser.newContext().
    reuseContext: true,
  },
});
