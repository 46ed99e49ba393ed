/*
 * The app shell renders in Chromium: sidebar with only existing pages, top bar with breadcrumbs,
 * the effective configuration on the admin's System page (no secret), and a theme toggle that persists.
 */
import { test, expect, addSession } from './fixtures';

test.beforeEach(async ({ page }) => {
  await addSession(page, 'admin');
});

test('the home page shows the shell, and the System page the effective configuration', async ({ page, sandbox }) => {
  await page.goto('/');
  await expect(page.getByTestId('sidebar')).toBeVisible();
  await expect(page.getByTestId('breadcrumbs')).toContainText('Dashboard');
  await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();
  await page.getByTestId('sidebar').getByRole('link', { name: 'System' }).click();
  await expect(page).toHaveURL(/\/system$/);
  await expect(page.getByRole('heading', { level: 1, name: 'System' })).toBeVisible();
  // The sandbox's SSH files are what the app is configured with.
  await expect(page.getByText(`${sandbox.stateDir}/client/known_hosts`)).toBeVisible();
  await expect(page.getByText(`${sandbox.stateDir}/client/id_ed25519`, { exact: true })).toBeVisible();
  await expect(page.getByText(`${sandbox.stateDir}/app-data`, { exact: true })).toBeVisible();
  // Where S3 datastores' restores onto disk go: under the data folder by default.
  await expect(page.getByText(`${sandbox.stateDir}/app-data/restores`, { exact: true })).toBeVisible();
});

test('every sidebar link leads to a page that exists', async ({ page }) => {
  await page.goto('/');
  const hrefs = await page
    .getByTestId('sidebar')
    .locator('a[href]')
    .evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
  expect(hrefs.length).toBeGreaterThan(0);
  for (const href of new Set(hrefs)) {
    const res = await page.request.get(href);
    expect(res.status(), href).toBe(200);
  }
});

test('every breadcrumb link of the deepest pages leads to a page that exists', async ({ page, sandbox }) => {
  const ds = sandbox.seed.datastoreId;
  const repo = String(sandbox.seed.vms.web);
  const detail = (await (await page.request.get(`/api/datastores/${ds}/repos/${repo}`)).json()) as {
    snapshots: { id: string }[];
  };
  for (const path of [
    `/datastores/${ds}/repos/${repo}/snapshots/${detail.snapshots[0]!.id}`,
    `/datastores/${ds}/maintenance/${repo}`,
  ]) {
    await page.goto(path);
    const hrefs = await page
      .getByTestId('breadcrumbs')
      .locator('a[href]')
      .evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
    expect(hrefs.length).toBeGreaterThan(1);
    for (const href of hrefs) expect((await page.request.get(href)).status(), href).toBe(200);
  }
});

test('the theme toggle switches to dark and the choice persists across reloads', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto('/');
  const html = page.locator('html');
  await expect(html).not.toHaveClass(/dark/);
  const toggle = page.getByTestId('theme-toggle');
  await toggle.click(); // system -> light
  await toggle.click(); // light -> dark
  await expect(html).toHaveClass(/dark/);
  await page.reload();
  await expect(html).toHaveClass(/dark/);
  await expect(toggle).toContainText('Dark');
});

test('with no saved choice the theme follows the system', async ({ page }) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto('/');
  await expect(page.locator('html')).toHaveClass(/dark/);
});
