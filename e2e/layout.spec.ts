/*
 * What a first user trips on in the shell (issue 23): on a phone the sidebar folds behind a menu
 * button and every control stays on screen; a snapshot's breadcrumb is its short ID; a skip link
 * leads past the navigation; the wizard moves focus to each new step's heading; a datastore tab
 * shows it is loading; the capacity chart's axis labels are readable in dark mode.
 */
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import Database from 'better-sqlite3';
import { sandboxPaths } from '../sandbox/common/state';
import { test, expect, addSession } from './fixtures';

async function firstSnapshotPath(page: Page, ds: number, repo: string): Promise<{ path: string; id: string }> {
  const detail = (await (await page.request.get(`/api/datastores/${ds}/repos/${repo}`)).json()) as {
    snapshots: { id: string }[];
  };
  const id = detail.snapshots[0]!.id;
  return { path: `/datastores/${ds}/repos/${repo}/snapshots/${id}`, id };
}

test('at 390 px the sidebar folds behind a menu button and every control stays on screen', async ({
  page,
  sandbox,
}) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await addSession(page, 'admin');
  await page.goto(`/datastores/${sandbox.seed.datastoreId}`);
  await expect(page.getByTestId('sidebar')).toBeHidden();
  const signOut = page.getByRole('button', { name: 'Sign out' });
  await expect(signOut).toBeInViewport({ ratio: 1 });
  await expect(page.getByTestId('signed-in-user')).toBeInViewport({ ratio: 1 });
  // The page's content gets the width, not a 150 px sliver.
  const main = await page.locator('main').boundingBox();
  expect(main!.width).toBeGreaterThanOrEqual(380);

  const menu = page.getByTestId('menu-button');
  await menu.click();
  const drawer = page.getByTestId('sidebar-drawer');
  await expect(drawer.getByRole('link', { name: 'Jobs', exact: true })).toBeInViewport();
  await page.keyboard.press('Escape');
  await expect(drawer).toBeHidden();
  await expect(menu).toBeFocused();

  await menu.click();
  await drawer.getByRole('link', { name: 'Jobs', exact: true }).click();
  await expect(page).toHaveURL(/\/jobs$/);
  await expect(drawer).toBeHidden();
});

test("a snapshot's breadcrumb is its short ID, and Sign out stays on screen at 1440 px", async ({ page, sandbox }) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await addSession(page, 'admin');
  const { path, id } = await firstSnapshotPath(page, sandbox.seed.datastoreId, String(sandbox.seed.vms.web));
  await page.goto(path);
  const last = page.getByTestId('breadcrumbs').locator('[aria-current="page"]');
  await expect(last).toHaveText(id.slice(0, 8));
  await expect(last).toHaveAttribute('title', id);
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeInViewport({ ratio: 1 });
});

test('the first Tab reaches a skip link that leads to the page content', async ({ page }) => {
  await addSession(page, 'admin');
  await page.goto('/datastores');
  await page.keyboard.press('Tab');
  const skip = page.getByTestId('skip-link');
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  await page.keyboard.press('Enter');
  await expect(page.locator('main#main')).toBeFocused();
});

test("each wizard step's heading takes the focus when the step opens", async ({ page }) => {
  await addSession(page, 'admin');
  await page.goto('/datastores/new');
  await page.locator('[name="NAME"]').fill(`focus-${Date.now()}`);
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByRole('heading', { level: 2, name: 'Backup server', exact: true })).toBeFocused();
  await page.getByRole('button', { name: 'Back', exact: true }).click();
  await expect(page.getByRole('heading', { level: 2, name: 'General', exact: true })).toBeFocused();
});

test("a VM owner's maintenance tab says it is for admins, not a blank page", async ({ page, sandbox }) => {
  await addSession(page, 'user');
  await page.goto(`/datastores/${sandbox.seed.datastoreId}?tab=maintenance`);
  await expect(page.getByTestId('maintenance-admins-only')).toContainText('for cloud admins');
  await expect(page.getByTestId('tab-maintenance')).toHaveCount(0);
});

test('the first wizard step says when the name is taken, before anything else is asked', async ({ page }) => {
  await addSession(page, 'admin');
  await page.goto('/datastores/new');
  await page.locator('[name="NAME"]').fill('RBackups');
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByTestId('error-NAME')).toContainText('is already named “RBackups”');
  await expect(page.getByRole('heading', { level: 2, name: 'General', exact: true })).toBeVisible();
});

test('a wrong password keeps the user name in its field', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('User name').fill('someone-who-mistyped');
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('sign-in-message')).not.toBeEmpty();
  await expect(page.getByLabel('User name')).toHaveValue('someone-who-mistyped');
});

/** Waits until React has hydrated the element (its fiber is attached): a click then is a client navigation. */
async function hydrated(page: Page, testId: string): Promise<void> {
  await page.waitForFunction(
    (id) => {
      const el = document.querySelector(`[data-testid="${id}"]`);
      return !!el && Object.keys(el).some((k) => k.startsWith('__reactFiber'));
    },
    testId,
    { timeout: 30_000 },
  );
}

test('a datastore tab shows it is loading until its page arrives', async ({ page, sandbox }) => {
  const ds = sandbox.seed.datastoreId;
  await addSession(page, 'admin');
  // The Info tab's page is held until the spinner was seen: the wait is the test's, not a timer's.
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  let held = 0;
  await page.route(
    (url) => url.pathname === `/datastores/${ds}` && url.searchParams.get('tab') === 'info',
    async (route) => {
      const headers = route.request().headers();
      // No prefetch may bring the tab early: the click must fetch it.
      if (headers['next-router-prefetch'] || headers['next-router-segment-prefetch']) return route.abort();
      if (headers.rsc !== '1') return route.continue();
      held += 1;
      await gate;
      await route.continue();
    },
  );
  await page.goto(`/datastores/${ds}`);
  const tab = page.getByTestId('tab-info');
  await hydrated(page, 'tab-info');
  await tab.click();
  const pending = tab.getByTestId('link-pending');
  await expect(pending).toBeVisible();
  await expect(pending).toHaveAccessibleName('Loading');
  expect(held).toBeGreaterThan(0);
  release();
  await expect(tab).toHaveAttribute('aria-current', 'page', { timeout: 60_000 });
  await expect(page).toHaveURL(/[?&]tab=info/);
  await expect(pending).toHaveCount(0);
});

/** sRGB channels 0..255 -> WCAG relative luminance. */
function luminance([r, g, b]: number[]): number {
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r!) + 0.7152 * lin(g!) + 0.0722 * lin(b!);
}

function contrast(a: number[], b: number[]): number {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi! + 0.05) / (lo! + 0.05);
}

test("the capacity chart's axis labels are readable in dark mode", async ({ page, sandbox }) => {
  const ds = sandbox.seed.datastoreId;
  // The chart draws from the second capacity sample on (one is kept every 15 minutes a datastore is
  // viewed): two earlier samples go into the app's store, as an admin who looked before would leave.
  const db = new Database(join(sandboxPaths(sandbox.stateDir).state, 'app-data', 'backstone.sqlite'));
  try {
    db.pragma('busy_timeout = 10000');
    const insert = db.prepare(
      'INSERT OR REPLACE INTO capacity_samples (datastore_id, at, total_bytes, used_bytes, available_bytes, stored_bytes) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const GiB = 2 ** 30;
    for (const hoursAgo of [3, 2]) insert.run(ds, Date.now() - hoursAgo * 3600_000, 100 * GiB, 40 * GiB, 60 * GiB, GiB);
  } finally {
    db.close();
  }
  // No saved choice: the theme follows the system, here dark.
  await page.emulateMedia({ colorScheme: 'dark' });
  await addSession(page, 'admin');
  await expect(async () => {
    await page.goto(`/datastores/${ds}?tab=capacity`);
    await expect(page.getByTestId('history-chart').locator('canvas').first()).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 90_000 });
  await expect(page.locator('html')).toHaveClass(/dark/);

  // The axes are drawn with the chart container's computed colour (history-chart.tsx): that colour,
  // as sRGB, against the first opaque background behind the chart, and how much of the canvas it inks.
  const seen = await page.getByTestId('history-chart').evaluate((el) => {
    const probe = document.createElement('canvas').getContext('2d', { willReadFrequently: true })!;
    const rgba = (colour: string) => {
      probe.clearRect(0, 0, 1, 1);
      probe.fillStyle = colour;
      probe.fillRect(0, 0, 1, 1);
      return [...probe.getImageData(0, 0, 1, 1).data];
    };
    let background = [0, 0, 0, 0];
    for (let e: Element | null = el; e; e = e.parentElement) {
      const c = rgba(getComputedStyle(e).backgroundColor);
      if (c[3] === 255) {
        background = c;
        break;
      }
    }
    const ink = rgba(getComputedStyle(el).color);
    const canvas = el.querySelector('canvas')!;
    const px = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let inked = 0;
    for (let i = 0; i < px.length; i += 4)
      if (
        px[i + 3]! > 240 &&
        Math.abs(px[i]! - ink[0]!) <= 6 &&
        Math.abs(px[i + 1]! - ink[1]!) <= 6 &&
        Math.abs(px[i + 2]! - ink[2]!) <= 6
      )
        inked += 1;
    return { ink, background, inked };
  });
  expect(seen.background[3]).toBe(255);
  expect(seen.ink[3]).toBe(255);
  // The axis labels really are drawn in that colour...
  expect(seen.inked).toBeGreaterThan(20);
  // ...and it reads on the dark background (WCAG AA for text: 4.5:1).
  expect(contrast(seen.ink, seen.background)).toBeGreaterThanOrEqual(4.5);
});
