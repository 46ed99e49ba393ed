/*
 * Issue 25, /vms: every VM the user may see with its protection status. The seeded cloud's overdue
 * VM (a daily scheduled backup that never ran), never-backed-up VM and backed-up VMs each show the
 * right status; status and text filters and sorting are done by the server; a VM owner sees only
 * their VMs; with 2,000 VMs in the simulator the filters and sorting stay right and at most 200 rows
 * are in the DOM.
 *
 * The seeded backups are from October 2026 while the clock is real, so with the default expected
 * interval (24 h) every VM without a schedule is overdue: the first test sets datastore 100's
 * interval to a year on its Info tab (the form admins use) and the last hook sets it back, so other
 * specs of the worker see the seeded cloud unchanged. The 2,000 VMs are added in a describe's
 * beforeAll and removed in its afterAll, for the same reason.
 */
import type { Page } from '@playwright/test';
import { addManyVms, bulkKind, removeManyVms } from '../sandbox/seed/many-vms';
import { test, expect, addSession } from './fixtures';
import { setExpectedInterval, YEAR_HOURS } from './support/expected-interval';
import { one } from './support/one-cli';

type Row = { id: number; name: string; uname: string; status: string; reason: string };
type Listing = { counts: Record<string, number>; matched: number; vms: Row[] };

/** GET /api/vms, or its status when it does not answer 200 (503 while the first read of OpenNebula runs). */
async function tryListing(page: Page, query = ''): Promise<Listing | number> {
  const res = await page.request.get(`/api/vms${query}`);
  return res.status() === 200 ? ((await res.json()) as Listing) : res.status();
}

/**
 * GET /api/vms. The first read of thousands of VMs may take longer than the page bound: the route
 * then answers 503 (still reading) and the test asks again.
 */
async function listing(page: Page, query = ''): Promise<Listing> {
  let got: Listing | number = 0;
  await expect
    .poll(
      async () => {
        got = await tryListing(page, query);
        return typeof got === 'number' ? got : 200;
      },
      { timeout: 90_000 },
    )
    .toBe(200);
  return got as unknown as Listing;
}

const domRows = (page: Page) => page.locator('[data-testid^="vm-row-"]');

test.describe.serial('the seeded cloud', () => {
  test.afterAll(async ({ browser, sandbox }) => {
    const page = await browser.newPage({ baseURL: sandbox.baseURL });
    await addSession(page, 'admin');
    await setExpectedInterval(page, sandbox.seed.datastoreId, 24);
    await page.close();
  });

  test('an admin sets the expected interval on the datastore page, audited, default 24 h', async ({
    page,
    sandbox,
  }) => {
    await addSession(page, 'admin');
    await page.goto(`/datastores/${sandbox.seed.datastoreId}?tab=info`);
    await expect(page.getByTestId('expected-interval-value')).toContainText('24 h');
    await expect(page.getByTestId('expected-interval')).toContainText('default');
    // Bad input: a clear message, nothing changes.
    const form = page.getByTestId('expected-interval-form');
    await form.getByLabel('Expect a backup every').evaluate((el: HTMLInputElement) => el.removeAttribute('min'));
    await form.getByLabel('Expect a backup every').fill('0');
    await form.getByRole('button', { name: 'Save' }).click();
    await expect(page.getByTestId('expected-interval-result')).toContainText('at least 1 hour');
    await page.reload();
    await expect(page.getByTestId('expected-interval-value')).toContainText('24 h');

    await setExpectedInterval(page, sandbox.seed.datastoreId, YEAR_HOURS);
    await page.reload();
    await expect(page.getByTestId('expected-interval-value')).toContainText(`${YEAR_HOURS} h`);
    await expect(page.getByTestId('expected-interval')).toContainText('set by oneadmin');
    await page.goto('/audit');
    await expect(page.getByText('datastore.expected-interval').first()).toBeVisible();
  });

  test('each VM shows its status: overdue, never, protected', async ({ page, sandbox }) => {
    const { vms } = sandbox.seed;
    await addSession(page, 'admin');
    await page.goto('/vms');
    const row = (id: number) => page.getByTestId(`vm-row-${id}`);
    await expect(row(vms.overdue)).toHaveAttribute('data-status', 'overdue');
    await expect(row(vms.overdue).getByTestId('vm-status')).toHaveAttribute(
      'title',
      /scheduled for .* has not happened/,
    );
    await expect(row(vms.overdue)).toContainText('daily at');
    await expect(row(vms.never)).toHaveAttribute('data-status', 'never');
    await expect(row(vms.never)).toContainText('INCREMENT · CBT · keep 7 · freeze AGENT');
    for (const id of [vms.web, vms.db, vms.legacy])
      await expect(row(id), `VM ${id}`).toHaveAttribute('data-status', 'protected');
    // The Backup Job's VMs: failed while in its ERROR_VMS, else overdue by its daily schedule, whose
    // TIME (in October) the simulator's scheduler never moved on.
    const errorVms = (
      /<ERROR_VMS>([\s\S]*?)<\/ERROR_VMS>/.exec(
        one('onebackupjob', 'show', '-x', String(sandbox.seed.backupJobId)),
      )?.[1] ?? ''
    )
      .split(/\D+/)
      .filter(Boolean)
      .map(Number);
    for (const id of [vms.app, vms.ci])
      await expect(row(id), `VM ${id}`).toHaveAttribute('data-status', errorVms.includes(id) ? 'failed' : 'overdue');
    await expect(row(vms.db)).toContainText('RBackups');
    await expect(row(vms.app)).toContainText('nightly (#');
    await expect(row(vms.web).getByRole('link', { name: 'web-frontend' })).toHaveAttribute('href', `/vms/${vms.web}`);
    // Each count is the number of its rows; all of them are every VM OpenNebula holds (the seed's
    // and those other specs of this worker made).
    await expect(page.getByTestId('vms-count-all')).toHaveText(String(vmOwners().length));
    for (const status of ['protected', 'overdue', 'never', 'failed'])
      await expect(page.getByTestId(`vms-count-${status}`)).toHaveText(
        String(await page.locator(`[data-testid^="vm-row-"][data-status="${status}"]`).count()),
      );
  });

  test('filters and sorting are done by the server', async ({ page, sandbox }) => {
    const { vms } = sandbox.seed;
    await addSession(page, 'admin');
    await page.goto('/vms');
    await page.getByTestId('vms-filter-overdue').click();
    await expect(page).toHaveURL(/\/vms\?status=overdue$/);
    await expect(page.getByTestId(`vm-row-${vms.overdue}`)).toBeVisible();
    const overdue = Number(await page.getByTestId('vms-count-overdue').textContent());
    await expect(domRows(page)).toHaveCount(overdue);
    await expect(page.locator('[data-testid^="vm-row-"]:not([data-status="overdue"])')).toHaveCount(0);

    await page.getByTestId('vms-filter-all').click();
    await expect(page).toHaveURL(/\/vms$/);
    await expect(domRows(page)).toHaveCount(vmOwners().length);
    await page.getByLabel('Filter VMs by name, owner or ID').fill('reports');
    await page.getByRole('button', { name: 'Filter' }).click();
    await expect(page).toHaveURL(/q=reports/);
    await expect(domRows(page)).toHaveCount(2);

    await page.goto('/vms');
    await page.getByTestId('vms-sort-name').click();
    await expect(page).toHaveURL(/sort=name/);
    const all = await listing(page, '?sort=name');
    const names = all.vms.map((v) => v.name);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
    await expect(domRows(page).first()).toContainText(names[0]!);
    await page.getByTestId('vms-sort-name').click();
    await expect(page).toHaveURL(/sort=name&dir=desc/);
    await expect(domRows(page).first()).toContainText(names.at(-1)!);

    // Worst first by default.
    const byStatus = await listing(page);
    const rank = ['failed', 'overdue', 'never', 'backing-up', 'protected'];
    const ranks = byStatus.vms.map((v) => rank.indexOf(v.status));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    const byId = await listing(page, `?q=%23${vms.ci}`);
    expect(byId.vms.map((v) => v.id)).toEqual([vms.ci]);
  });

  test('bad search parameters get a clear message, not a 500', async ({ page }) => {
    await addSession(page, 'admin');
    const res = await page.goto('/vms?sort=password');
    expect(res?.status()).toBe(200);
    await expect(page.getByTestId('vms-bad-query')).toContainText('Sort by one of');
    const api = await page.request.get('/api/vms?dir=up&status=late');
    expect(api.status()).toBe(400);
    expect(((await api.json()) as { error: string }).error).toMatch(/status filter must be one of|asc or desc/);
    expect((await page.request.get('/api/vms?status=never&status=overdue')).status()).toBe(400);
  });

  test('a VM owner sees only their own VMs', async ({ page, sandbox }) => {
    const { vms } = sandbox.seed;
    await addSession(page, 'user');
    await page.goto('/vms');
    await expect(page.getByTestId('vms-count-all')).toHaveText('2');
    await expect(page.getByTestId(`vm-row-${vms.db}`)).toBeVisible();
    await expect(page.getByTestId(`vm-row-${vms.ci}`)).toBeVisible();
    for (const other of [vms.web, vms.app, vms.legacy, vms.overdue, vms.never])
      await expect(page.getByTestId(`vm-row-${other}`)).toHaveCount(0);
    const mine = await listing(page);
    expect(mine.vms.map((v) => v.uname)).toEqual(['alice', 'alice']);
  });
});

/** The owner of every VM OpenNebula holds now (the CLI as oneadmin). */
function vmOwners(): string[] {
  return [...one('onevm', 'list', '-x').matchAll(/<VM>[\s\S]*?<UNAME>([^<]*)<\/UNAME>/g)].map((m) => m[1]!);
}

test.describe.serial('2,000 VMs', () => {
  const COUNT = 2000;
  let ids: number[] = [];
  /** The worker's VMs before: the seed's and whatever other specs of this worker made. */
  let before = 0;
  let alicesBefore = 0;

  test.beforeAll(({ sandbox }) => {
    before = vmOwners().length;
    alicesBefore = vmOwners().filter((o) => o === 'alice').length;
    ids = addManyVms(sandbox.stateDir, { count: COUNT });
  });
  test.afterAll(({ sandbox }) => {
    removeManyVms(sandbox.stateDir, ids);
  });

  const expectedKind = (kind: ReturnType<typeof bulkKind>) => ids.filter((_, i) => bulkKind(i) === kind);

  test('filters and sorting are right and at most 200 rows are in the DOM', async ({ page }) => {
    test.setTimeout(300_000);
    await addSession(page, 'admin');
    // OpenNebula's reads are cached for a few seconds: wait until the page sees the new VMs.
    await expect.poll(async () => (await listing(page)).counts.total, { timeout: 150_000 }).toBe(COUNT + before);

    await page.goto('/vms');
    await expect(page.getByTestId('vms-count-all')).toHaveText(String(COUNT + before));
    expect(await domRows(page).count()).toBeLessThanOrEqual(200);

    // The added VMs among the answers (the seed's Backup Job has one of its own in ERROR_VMS).
    const added = (vms: { id: number }[]) =>
      vms
        .map((v) => v.id)
        .filter((id) => ids.includes(id))
        .sort((a, b) => a - b);
    const failed = await listing(page, '?status=failed');
    expect(added(failed.vms)).toEqual(expectedKind('failed'));
    expect(failed.vms.filter((v) => ids.includes(v.id)).every((v) => /restic failed \(bulk\)/.test(v.reason))).toBe(
      true,
    );
    const busy = await listing(page, '?status=backing-up');
    expect(added(busy.vms)).toEqual(expectedKind('backing-up'));

    await page.goto('/vms?status=never&sort=name&dir=desc');
    const never = await listing(page, '?status=never&sort=name&dir=desc');
    const names = never.vms.map((v) => v.name);
    expect(names).toEqual([...names].sort((a, b) => b.localeCompare(a)));
    expect(never.matched).toBe(never.counts.never);
    await expect(page.getByTestId('vms-shown')).toHaveText(`${never.matched} of ${COUNT + before}`);
    await expect(domRows(page).first()).toHaveAttribute('data-testid', `vm-row-${never.vms[0]!.id}`);
    expect(await domRows(page).count()).toBeLessThanOrEqual(200);
    // Scrolled to the end, the last row is there and the DOM stays small.
    await page
      .getByTestId('vms-table')
      .locator('div.overflow-auto')
      .evaluate((el) => el.scrollTo(0, el.scrollHeight));
    await expect(page.getByTestId(`vm-row-${never.vms.at(-1)!.id}`)).toBeVisible();
    expect(await domRows(page).count()).toBeLessThanOrEqual(200);

    const found = await listing(page, '?q=bulk-0042');
    expect(found.vms.map((v) => v.name)).toEqual(['bulk-0042']);
    const byOwner = await listing(page, '?sort=owner&dir=desc');
    const owners = byOwner.vms.map((v) => v.uname);
    expect(owners).toEqual([...owners].sort((a, b) => b.localeCompare(a)));
  });

  test('a VM owner sees only their share of them', async ({ page }) => {
    test.setTimeout(300_000);
    await addSession(page, 'user');
    const mine = ids.filter((_, i) => i % 3 === 1).length;
    await expect.poll(async () => (await listing(page)).counts.total, { timeout: 150_000 }).toBe(mine + alicesBefore);
    const all = await listing(page, '?sort=id');
    expect(all.vms.every((v) => v.uname === 'alice')).toBe(true);
    await page.goto('/vms');
    expect(await domRows(page).count()).toBeLessThanOrEqual(200);
  });
});
