/*
 * OpenNebula slow (issue 22 §2), against the production build: while the sandbox front-end holds
 * every pool listing (its 'list' hold, as a busy oned answers late), the pages built on them answer
 * anyway, with the lists read before and an honest "OpenNebula is slow: showing … as read …" note,
 * never a page that waits for the CLI. Once oned answers again, the note goes. Likewise the pages
 * built on reads of one object (`/vms/<id>`, `/backup-jobs/<id>`, `/datastores/100`) while every
 * `show` is held (the 'show' hold); and a repository's page and its maintenance page, which read the
 * pools of images, VMs and Backup Jobs beside the datastore, while the listings are held. The sandbox is the worker's, shared with other specs: every hold
 * is released in `finally`.
 */
import type { Page } from '@playwright/test';
import { hold } from '../sandbox/opennebula/ops/holds';
import { frontendPaths } from '../sandbox/opennebula/paths';
import { test, expect, addSession } from './fixtures';

/** The CLI read cache's lifetime in the apps under test (lib/config's default, 3 s). */
const READ_CACHE_SECONDS = 3;

/** The pages built on OpenNebula's listings, with what each shows once read. */
const PAGES = [
  { path: '/vms', shown: 'vms-table' },
  { path: '/datastores', shown: 'datastores-table' },
  { path: '/', shown: 'attention' },
] as const;

/** Loads `path` until it shows `shown` without any freshness note (a cold read may say "still reading" first). */
async function loadFresh(page: Page, path: string, shown: string): Promise<void> {
  await expect(async () => {
    await page.goto(path);
    await expect(page.getByTestId(shown)).toBeVisible({ timeout: 1_000 });
    await expect(page.getByTestId('still-reading')).toHaveCount(0);
    await expect(page.getByTestId('stale-data')).toHaveCount(0);
  }).toPass({ timeout: 90_000 });
}

test('while OpenNebula is slow, /vms, /datastores and the home page show the last lists and say so', async ({
  page,
  sandbox,
}) => {
  test.setTimeout(300_000);
  await addSession(page, 'admin');
  for (const p of PAGES) await loadFresh(page, p.path, p.shown);

  const release = hold(frontendPaths(sandbox.stateDir), 'list');
  const heldAt = Date.now();
  try {
    for (const p of PAGES) {
      // The CLI's own read cache lasts a few seconds: a load within them is still fresh; one that
      // starts after it finds every listing held and answers anyway.
      await expect(async () => {
        const started = Date.now();
        await page.goto(p.path, { timeout: 15_000 });
        await expect(page.getByTestId('stale-data')).toBeVisible({ timeout: 1_000 });
        expect(started - heldAt, 'a load after the read cache expired').toBeGreaterThan(
          (READ_CACHE_SECONDS + 1) * 1000,
        );
      }).toPass({ timeout: 90_000 });
      await expect(page.getByTestId('stale-data')).toContainText(/OpenNebula is slow: showing .* as read/);
      // What was read before is still shown.
      await expect(page.getByTestId(p.shown)).toBeVisible();
    }
    // The datastore wizard opens too (its clusters and taken names are listings), with the last
    // clusters read or, when none was read yet, a word that they could not be listed.
    await page.goto('/datastores/new', { timeout: 15_000 });
    await expect(page.getByRole('heading', { name: 'Create a restic backup datastore' })).toBeVisible();
    await expect(page.getByRole('combobox', { name: 'Cluster' })).toBeVisible();
  } finally {
    release();
  }
  // Once oned answers again, the pages are fresh.
  for (const p of PAGES) await loadFresh(page, p.path, p.shown);
});

test('while OpenNebula is slow to show one object, a VM, a Backup Job and a datastore show the last one read and say so', async ({
  page,
  sandbox,
}) => {
  test.setTimeout(300_000);
  await addSession(page, 'admin');
  const objects = [
    { path: `/vms/${sandbox.seed.vms.web}`, shown: 'backup-now-panel' },
    { path: `/backup-jobs/${sandbox.seed.backupJobId}`, shown: 'backup-job' },
    { path: '/datastores/100', shown: 'consistency-' },
  ] as const;
  const shownOn = (shown: string) =>
    shown.endsWith('-') ? page.locator(`[data-testid^="${shown}"]`).first() : page.getByTestId(shown);
  /** Loads `path` until it shows what it shows once read, and no note from OpenNebula. */
  async function loadFreshObject(path: string, shown: string): Promise<void> {
    await expect(async () => {
      await page.goto(path);
      await expect(shownOn(shown)).toBeVisible({ timeout: 1_000 });
      await expect(page.getByTestId('still-reading')).toHaveCount(0);
      await expect(page.getByTestId('stale-data').filter({ hasText: 'OpenNebula' })).toHaveCount(0);
    }).toPass({ timeout: 90_000 });
  }
  for (const o of objects) await loadFreshObject(o.path, o.shown);

  const release = hold(frontendPaths(sandbox.stateDir), 'show');
  const heldAt = Date.now();
  try {
    for (const o of objects) {
      const note = page.getByTestId('stale-data').filter({ hasText: /OpenNebula is slow: showing .* as read/ });
      // The CLI's own read cache lasts a few seconds: a load within them is still fresh; one that
      // starts after it finds every show held and answers anyway.
      await expect(async () => {
        const started = Date.now();
        await page.goto(o.path, { timeout: 15_000 });
        await expect(note).toBeVisible({ timeout: 1_000 });
        expect(started - heldAt, 'a load after the read cache expired').toBeGreaterThan(
          (READ_CACHE_SECONDS + 1) * 1000,
        );
      }).toPass({ timeout: 90_000 });
      // What was read before is still shown.
      await expect(shownOn(o.shown)).toBeVisible();
    }
  } finally {
    release();
  }
  // Once oned answers again, the pages are fresh.
  for (const o of objects) await loadFreshObject(o.path, o.shown);
});

test("while OpenNebula is slow to list, a repository's page and its maintenance page show the last images read and say so", async ({
  page,
  sandbox,
}) => {
  test.setTimeout(300_000);
  await addSession(page, 'admin');
  const repo = String(sandbox.seed.vms.db);
  const pages = [
    { path: `/datastores/100/repos/${repo}`, shown: 'chains' },
    { path: `/datastores/100/maintenance/${repo}`, shown: 'locks-panel' },
  ] as const;
  const fromOpenNebula = page.getByTestId('stale-data').filter({ hasText: /OpenNebula is slow: showing .* as read/ });
  /** Loads `path` until it shows what it shows once read, and no note from OpenNebula. */
  async function loadFreshRepository(path: string, shown: string): Promise<void> {
    await expect(async () => {
      await page.goto(path);
      await expect(page.getByTestId(shown)).toBeVisible({ timeout: 1_000 });
      await expect(page.getByTestId('still-reading')).toHaveCount(0);
      await expect(page.getByTestId('stale-data').filter({ hasText: 'OpenNebula' })).toHaveCount(0);
    }).toPass({ timeout: 90_000 });
  }
  for (const p of pages) await loadFreshRepository(p.path, p.shown);

  const release = hold(frontendPaths(sandbox.stateDir), 'list');
  const heldAt = Date.now();
  try {
    for (const p of pages) {
      // The CLI's own read cache lasts a few seconds: a load within them is still fresh. A load that
      // starts after it has expired finds every listing behind the page held (the restore dialog's
      // image datastores included) and answers anyway.
      await expect(async () => {
        const started = Date.now();
        await page.goto(p.path, { timeout: 15_000 });
        await expect(fromOpenNebula).toBeVisible({ timeout: 1_000 });
        expect(started - heldAt, 'a load after the read cache expired').toBeGreaterThan(
          (READ_CACHE_SECONDS + 1) * 1000,
        );
      }).toPass({ timeout: 90_000 });
      // What was read before is still shown.
      await expect(page.getByTestId(p.shown)).toBeVisible();
    }
  } finally {
    release();
  }
  // Once oned answers again, the pages are fresh.
  for (const p of pages) await loadFreshRepository(p.path, p.shown);
});
