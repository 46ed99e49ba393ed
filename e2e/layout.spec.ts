/*
 * What a first user trips on in the shell (issue 23): on a phone the sidebar folds behind a menu
 * button and every control stays on screen; a snapshot's breadcrumb is its short ID; a skip link
 * leads past the navigation; the wizard moves focus to each new step's heading; a datastore tab
 * shows it is loading.
 */
import type { Page } from '@playwright/test';
import { test, expect, signIn } from './fixtures';

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
  await signIn(page, 'admin');
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
  await signIn(page, 'admin');
  const { path, id } = await firstSnapshotPath(page, sandbox.seed.datastoreId, String(sandbox.seed.vms.web));
  await page.goto(path);
  const last = page.getByTestId('breadcrumbs').locator('[aria-current="page"]');
  await expect(last).toHaveText(id.slice(0, 8));
  await expect(last).toHaveAttribute('title', id);
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeInViewport({ ratio: 1 });
});

test('the first Tab reaches a skip link that leads to the page content', async ({ page }) => {
  await signIn(page, 'admin');
  await page.goto('/datastores');
  await page.keyboard.press('Tab');
  const skip = page.getByTestId('skip-link');
  await expect(skip).toBeFocused();
  await expect(skip).toBeInViewport();
  await page.keyboard.press('Enter');
  await expect(page.locator('main#main')).toBeFocused();
});

test("each wizard step's heading takes the focus when the step opens", async ({ page }) => {
  await signIn(page, 'admin');
  await page.goto('/datastores/new');
  await page.locator('[name="NAME"]').fill(`focus-${Date.now()}`);
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByRole('heading', { level: 2, name: 'Backup server', exact: true })).toBeFocused();
  await page.getByRole('button', { name: 'Back', exact: true }).click();
  await expect(page.getByRole('heading', { level: 2, name: 'General', exact: true })).toBeFocused();
});

test("a VM owner's maintenance tab says it is for admins, not a blank page", async ({ page, sandbox }) => {
  await signIn(page, 'user');
  await page.goto(`/datastores/${sandbox.seed.datastoreId}?tab=maintenance`);
  await expect(page.getByTestId('maintenance-admins-only')).toContainText('for cloud admins');
  await expect(page.getByTestId('tab-maintenance')).toHaveCount(0);
});

test('the first wizard step says when the name is taken, before anything else is asked', async ({ page }) => {
  await signIn(page, 'admin');
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
