/*
 * Datastores and backups (lib/catalog, app/(console)/datastores): on the seeded sandbox, the
 * capacity is the backup server's df, the seeded repositories, snapshots, chains and the Backup
 * Job repository appear as seeded, the orphan, the dangling image and the locked repository are
 * flagged; a warm overview starts no restic process on the server; a stopped sshd gives a banner,
 * not a 500; an ordinary user sees only the repositories of their own VMs.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { startBackupServer } from '../sandbox/backup-server/index';
import { runningPid, stopComponent } from '../sandbox/common/pids';
import { killTree } from '../sandbox/common/process-tree';
import { sandboxPaths } from '../sandbox/common/state';
import type { Locator, Page } from '@playwright/test';
import { SIZE_TERMS } from '../app/_components/size-terms';
import { compareRepositoryNames } from '../lib/schemas/ids';
import { test, expect, addSession } from './fixtures';
import { onServer, serverInfo, watchResticProcesses } from './support/backup-server';
import { one } from './support/one-cli';

const DS = 100;

function snapshotFiles(repo: string): string[] {
  return readdirSync(join(serverInfo().datastoresRoot, String(DS), repo, 'snapshots'));
}

/** The "N% free" a capacity bar shows, and its meter's accessible name, which must say the same. */
async function shownFree(bar: Locator): Promise<number> {
  const text = (await bar.textContent()) ?? '';
  const free = Number(/(\d+)% free/.exec(text)?.[1]);
  await expect(bar.getByRole('meter')).toHaveAccessibleName(`Capacity: ${100 - free}% used, ${free}% free`);
  return free;
}

/** FREE_MB / TOTAL_MB of `onedatastore show -x`, in percent, as `onedatastore list` shows it. */
function monitorFreePercent(): number {
  const xml = one('onedatastore', 'show', '-x', String(DS));
  const mb = (tag: string) => Number(new RegExp(`<${tag}>(\\d+)</${tag}>`).exec(xml)?.[1]);
  expect(mb('TOTAL_MB')).toBeGreaterThan(0);
  return (mb('FREE_MB') / mb('TOTAL_MB')) * 100;
}

/** The repository names of the datastore page's table, top to bottom. */
async function repositoryOrder(page: Page): Promise<string[]> {
  const ids = await page
    .getByTestId('repositories-table')
    .locator('tbody tr[data-testid^="repo-row-"]')
    .evaluateAll((rows) => rows.map((r) => r.getAttribute('data-testid')!.slice('repo-row-'.length)));
  return ids;
}

test.describe('as an admin', () => {
  test.beforeEach(async ({ page }) => {
    await addSession(page, 'admin');
  });

  test('the datastores list puts the restic backup datastore first with its capacity', async ({ page }) => {
    await page.goto('/datastores');
    const rows = page.getByTestId('datastores-table').locator('tbody tr');
    await expect(rows.first()).toHaveAttribute('data-testid', `datastore-row-${DS}`);
    await expect(rows.first()).toContainText('RBackups');
    await expect(rows.first()).toContainText('restic');
    await expect(page.getByTestId('datastore-row-1')).toContainText('Image');
  });

  test('capacity equals df on the backup server', async ({ page }) => {
    const df = () => {
      const [, total, used] = onServer('df', '-PB1', '--', join(serverInfo().datastoresRoot, String(DS)))
        .trim()
        .split('\n')
        .pop()!
        .split(/\s+/);
      return { total: Number(total), used: Number(used) };
    };
    // The disk is shared with everything else running, so "used" moves between two reads: the
    // page's figure must lie within df's readings taken just before and just after it.
    const before = df();
    await page.goto(`/datastores/${DS}?tab=capacity`);
    const total = Number(await page.getByTestId('df-total').textContent());
    const used = Number(await page.getByTestId('df-used').textContent());
    const after = df();
    expect(total).toBe(after.total);
    const slack = 256 * 1024 * 1024;
    expect(used).toBeGreaterThanOrEqual(Math.min(before.used, after.used) - slack);
    expect(used).toBeLessThanOrEqual(Math.max(before.used, after.used) + slack);
    await expect(page.getByTestId('estimate-full')).toContainText('not enough data');
  });

  test("the list and the Info tab show % free as FREE_MB / TOTAL_MB of onedatastore show, and say it is the monitor's", async ({
    page,
  }) => {
    await page.goto('/datastores');
    const listed = page.getByTestId(`capacity-${DS}`);
    await expect(listed).toContainText('% free');
    // The monitor refreshes from df between two reads: a point either way is the same figure.
    expect(Math.abs((await shownFree(listed)) - monitorFreePercent())).toBeLessThanOrEqual(1);
    await expect(listed).toContainText("OpenNebula's monitor");

    await page.goto(`/datastores/${DS}?tab=info`);
    const info = page.getByTestId('info-capacity');
    await expect(info).toContainText('% free');
    expect(Math.abs((await shownFree(info)) - monitorFreePercent())).toBeLessThanOrEqual(1);
    await expect(info).toContainText("OpenNebula's monitor (USED_MB, FREE_MB, TOTAL_MB)");
  });

  test("repositories are listed in the server's order, VMs before job_N, and stay so when sorted", async ({
    page,
    sandbox,
  }) => {
    await page.goto(`/datastores/${DS}`);
    const table = page.getByTestId('repositories-table');
    await expect(table.getByTestId(`repo-row-job_${sandbox.seed.backupJobId}`)).toBeVisible();
    const served = await repositoryOrder(page);
    const expected = [...served].sort(compareRepositoryNames);
    expect(served).toEqual(expected);
    const firstJob = served.findIndex((n) => n.startsWith('job_'));
    expect(firstJob).toBeGreaterThan(1);
    expect(served.slice(firstJob).every((n) => n.startsWith('job_'))).toBe(true);
    // Sorting by the column keeps that order (TanStack's 'alphanumeric' put job_N first): the table
    // opens sorted by it, descending is its reverse, unsorted is the server's list, ascending again.
    await expect(table.locator('th[aria-sort="ascending"]')).toContainText('Repository');
    const header = table.getByRole('button', { name: /^Repository/ });
    await header.click();
    await expect(table.locator('th[aria-sort="descending"]')).toContainText('Repository');
    expect(await repositoryOrder(page)).toEqual([...expected].reverse());
    await header.click();
    await expect(table.locator('th[aria-sort]')).toHaveCount(0);
    expect(await repositoryOrder(page)).toEqual(expected);
    await header.click();
    await expect(table.locator('th[aria-sort="ascending"]')).toContainText('Repository');
    expect(await repositoryOrder(page)).toEqual(expected);
  });

  test('a size has one name and one hint on the repository page, the VM page and the VMs list', async ({
    page,
    sandbox,
  }) => {
    const vm = sandbox.seed.vms.db; // an INCREMENT chain: its newest backup is an increment
    const backedUp = SIZE_TERMS.snapshotSize;
    await page.goto(`/datastores/${DS}/repos/${vm}`);
    await expect(page.getByTestId('snapshots-table').locator('abbr', { hasText: backedUp.label })).toHaveAttribute(
      'title',
      backedUp.hint,
    );
    await page.goto(`/vms/${vm}`);
    const panel = page.getByTestId('vm-backups');
    await expect(panel.locator('abbr', { hasText: backedUp.label }).first()).toHaveAttribute('title', backedUp.hint);
    await expect(panel.locator('abbr', { hasText: SIZE_TERMS.backupImages.label }).first()).toHaveAttribute(
      'title',
      SIZE_TERMS.backupImages.hint,
    );
    await page.goto('/vms');
    await expect(page.getByTestId('vms-sort-size')).toContainText(backedUp.label);
    await expect(page.getByTestId(`vm-row-${vm}`).getByTitle(backedUp.hint, { exact: true })).toBeVisible();
  });

  test('the seeded repositories, snapshots and the job repository appear as seeded', async ({ page, sandbox }) => {
    const seed = sandbox.seed;
    await page.goto(`/datastores/${DS}`);
    const table = page.getByTestId('repositories-table');
    for (const vm of [seed.vms.web, seed.vms.db, seed.vms.legacy]) {
      const row = table.getByTestId(`repo-row-${vm}`);
      await expect(row).toBeVisible();
      await expect(row.locator('td').nth(2)).toHaveText(String(snapshotFiles(String(vm)).length));
    }
    const job = table.getByTestId(`repo-row-job_${seed.backupJobId}`);
    await expect(job).toContainText(`Backup Job ${seed.backupJobId}`);
    await expect(job).toContainText(`(${seed.vms.app})`);
    await expect(job).toContainText(`(${seed.vms.ci})`);
    await expect(job.locator('td').nth(2)).toHaveText(String(snapshotFiles(`job_${seed.backupJobId}`).length));
  });

  test('an increment chain is drawn FULL -> INCREMENT with the snapshots OpenNebula records', async ({
    page,
    sandbox,
  }) => {
    const vm = sandbox.seed.vms.db;
    const images = [...one('oneimage', 'list', '-x').matchAll(/<IMAGE>[\s\S]*?<\/IMAGE>/g)]
      .map((m) => m[0])
      .filter((x) => x.includes(`<VMS>\n      <ID>${vm}</ID>`) || new RegExp(`<VMS>\\s*<ID>${vm}</ID>`).test(x))
      .filter((x) => x.includes('<INCREMENT>'));
    expect(images.length).toBeGreaterThan(0);
    const xml = images[0]!;
    const imageId = Number(/<ID>(\d+)<\/ID>/.exec(xml)![1]);
    const increments = [
      ...xml.matchAll(
        /<INCREMENT>[\s\S]*?<ID><!\[CDATA\[(\d+)\]\]><\/ID>[\s\S]*?<SOURCE><!\[CDATA\[([0-9a-f]+)\]\]><\/SOURCE>[\s\S]*?<TYPE><!\[CDATA\[(\w+)\]\]><\/TYPE>/g,
      ),
    ].map((m) => ({
      id: m[1]!,
      source: m[2]!,
      type: m[3]!,
    }));
    expect(increments[0]!.type).toBe('FULL');
    await page.goto(`/datastores/${DS}/repos/${vm}`);
    const chain = page.getByTestId(`chain-${imageId}`);
    await expect(chain).toContainText('INCREMENT');
    await expect(chain).toContainText('restorable');
    for (const inc of increments) {
      await expect(chain.getByTestId(`link-${imageId}-${inc.id}`)).toContainText(
        `${inc.type === 'FULL' ? 'FULL' : 'INC'} ${inc.id}: ${inc.source}`,
      );
      await expect(page.getByTestId('snapshots-table').getByTestId(`snapshot-row-${inc.source}`)).toContainText(
        `image ${imageId}`,
      );
    }
  });

  test('the orphan snapshot, the dangling image and the locked repository are flagged', async ({ page, sandbox }) => {
    const seed = sandbox.seed;
    const legacy = String(seed.vms.legacy);
    await page.goto(`/datastores/${DS}`);
    await expect(page.getByTestId(`lock-${legacy}`)).toHaveText('locked (1)');
    await expect(page.getByTestId(`consistency-${legacy}`)).toContainText('problems');
    const problems = page.getByTestId('problems');
    await expect(problems.getByTestId('problem-orphan-snapshot')).toContainText(
      seed.orphanSnapshot.snapshot.slice(0, 8),
    );
    await expect(problems.getByTestId('problem-dangling-image')).toContainText(
      `Backup image ${seed.danglingImage.imageId}`,
    );
    await page.goto(`/datastores/${DS}/repos/${legacy}`);
    await expect(
      page.getByTestId('snapshots-table').getByTestId(`snapshot-row-${seed.orphanSnapshot.snapshot.slice(0, 8)}`),
    ).toContainText('orphan');
    await expect(page.getByTestId(`chain-${seed.danglingImage.imageId}`)).toContainText('missing');
  });

  test('a second load of the overview starts no restic process on the backup server', async ({ page }) => {
    await page.goto(`/datastores/${DS}`);
    await expect(page.getByTestId('repositories-table')).toBeVisible();
    // A cold first load may answer while restic still reads; the page asks again until it is done.
    await expect(page.getByTestId('overview-pending')).toHaveCount(0, { timeout: 60_000 });
    const watch = watchResticProcesses();
    await page.reload();
    await expect(page.getByTestId('repositories-table')).toBeVisible();
    const res = await page.request.get(`/api/datastores/${DS}/overview`);
    expect(res.ok()).toBe(true);
    expect(watch.stop()).toEqual([]);
  });

  test('with sshd stopped the datastore page shows a banner within 10 seconds, not an error', async ({
    page,
    sandbox,
  }) => {
    const paths = sandboxPaths(sandbox.stateDir);
    // The listener and the sessions it forked for open connections: this server is really gone
    // (and only this one: other sandboxes on the machine keep theirs).
    const listener = runningPid(paths, 'sshd');
    if (listener !== undefined) killTree(listener);
    await stopComponent(paths, 'sshd');
    try {
      const started = Date.now();
      const res = await page.goto(`/datastores/${DS}`);
      await expect(page.getByTestId('server-unreachable')).toBeVisible({ timeout: 10_000 });
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(res?.status()).toBe(200);
      // OpenNebula's side still shows.
      await expect(page.getByTestId(`repo-row-${sandbox.seed.vms.web}`)).toBeVisible();
    } finally {
      await startBackupServer(sandbox.stateDir);
    }
    await page.goto(`/datastores/${DS}`);
    await expect(page.getByTestId('server-unreachable')).toHaveCount(0, { timeout: 20_000 });
  });

  test('unknown or malformed IDs are a 404', async ({ page }) => {
    for (const path of [
      '/datastores/9999',
      '/datastores/abc',
      `/datastores/${DS}/repos/..%2F..`,
      `/datastores/${DS}/repos/999`,
      `/datastores/${DS}/repos/job_x`,
    ]) {
      const res = await page.goto(path);
      expect(res?.status(), path).toBe(404);
    }
    expect((await page.request.get('/api/datastores/abc/overview')).status()).toBe(404);
    expect((await page.request.get(`/api/datastores/${DS}/repos/..%2Fx`)).status()).toBe(404);
  });
});

test('an ordinary user sees only the repositories of their own VMs', async ({ page, sandbox }) => {
  const { vms, backupJobId } = sandbox.seed;
  // alice owns db-primary and ci-runner (a member of the Backup Job, with bob's app-worker); oneadmin owns the rest.
  await addSession(page, 'user');
  await page.goto(`/datastores/${DS}`);
  const table = page.getByTestId('repositories-table');
  await expect(table.getByTestId(`repo-row-${vms.db}`)).toBeVisible();
  await expect(table.getByTestId(`repo-row-job_${backupJobId}`)).toBeVisible();
  for (const other of [vms.web, vms.legacy]) await expect(table.getByTestId(`repo-row-${other}`)).toHaveCount(0);
  await expect(page.getByTestId('repositories-table-count')).toHaveText('2 of 2');
  expect((await page.goto(`/datastores/${DS}/repos/${vms.web}`))?.status()).toBe(404);
  // In the job's repository, only her VM's snapshots.
  await page.goto(`/datastores/${DS}/repos/job_${backupJobId}`);
  const vmCells = page.getByTestId('snapshots-table').locator('tbody tr[data-testid] td:nth-child(4)');
  await expect(vmCells.first()).toBeVisible();
  expect(new Set(await vmCells.allTextContents())).toEqual(new Set([String(vms.ci)]));
});
