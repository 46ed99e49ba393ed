/*
 * The health home page (lib/health, `/`): on the seeded cloud it lists exactly the seeded problems
 * of datastore 100 with their counts, worst first (the stale lock, the dangling image, the orphan
 * snapshot, and every repository never verified by Backstone); each fix link leads to the page that
 * fixes it; after a check of one repository (which no other spec depends on) the home page no
 * longer lists it. A VM owner's home lists only what concerns their own VMs. The System page is the
 * admins' (a VM owner gets the 403 page).
 *
 * Ground truth comes from outside Backstone: the lock and snapshot files on the backup server and
 * the CLI (a worker restarted after a failure keeps its sandbox, maybe already changed by others).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import type { BackupServerInfo } from '../sandbox/common/info';
import { test, expect, addSession, expectStaleLock } from './fixtures';
import { one } from './support/one-cli';
import { loadSandbox } from './sandbox-env';

const DS = 100;
const CAPACITY = new Set(['datastore-full', 'datastore-filling']);

function root(): string {
  const info = JSON.parse(readFileSync(join(loadSandbox().stateDir, 'info.json'), 'utf8')) as {
    backupServer: BackupServerInfo;
  };
  return join(info.backupServer.datastoresRoot, String(DS));
}

const hexFiles = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => /^[0-9a-f]{64}$/.test(f)) : []);

function imageExists(id: number): boolean {
  try {
    one('oneimage', 'show', '-x', String(id));
    return true;
  } catch {
    return false;
  }
}

type Shown = { kind: string; datastore: string; repository: string; count: string; href: string };

async function shownItems(page: Page): Promise<Shown[]> {
  return page.getByTestId('attention-item').evaluateAll((lis) =>
    lis.map((li) => ({
      kind: li.getAttribute('data-kind') ?? '',
      datastore: li.getAttribute('data-datastore') ?? '',
      repository: li.getAttribute('data-repository') ?? '',
      count: li.getAttribute('data-count') ?? '',
      href: li.querySelector('[data-testid="attention-fix"]')?.getAttribute('href') ?? '',
    })),
  );
}

/** The home page once everything of datastore 100 was read (it refreshes itself meanwhile). */
async function homeWhenRead(page: Page): Promise<Shown[]> {
  await page.goto('/');
  await expect(page.getByTestId('attention')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('health-reading')).toHaveCount(0, { timeout: 120_000 });
  return shownItems(page);
}

const byRepo = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });

test.describe('the health home page', () => {
  test.describe.configure({ mode: 'serial' });

  test('lists exactly the seeded problems with their counts, worst first, each linking to its fix', async ({
    page,
    sandbox,
  }) => {
    test.setTimeout(240_000);
    const { vms, backupJobId, orphanSnapshot, danglingImage } = sandbox.seed;
    const legacy = String(vms.legacy);
    const dsRoot = root();
    // What the backup server and OpenNebula hold now.
    const locks = hexFiles(join(dsRoot, legacy, 'locks')).length;
    // OpenNebula's SOURCE may be restic's short ID.
    const orphan = hexFiles(join(dsRoot, legacy, 'snapshots')).some((f) => f.startsWith(orphanSnapshot.snapshot))
      ? 1
      : 0;
    const dangling = imageExists(danglingImage.imageId) ? 1 : 0;
    const repos = readdirSync(dsRoot)
      .filter((r) => hexFiles(join(dsRoot, r, 'snapshots')).length > 0)
      .sort(byRepo);
    expect(repos).toEqual(
      [String(vms.web), String(vms.db), legacy, String(vms.overdue), `job_${backupJobId}`]
        .sort(byRepo)
        .filter((r) => repos.includes(r)),
    );
    const expected = [
      ...(locks > 0 ? [{ kind: 'stale-lock', repository: legacy, count: String(locks) }] : []),
      ...(dangling ? [{ kind: 'dangling-image', repository: legacy, count: '1' }] : []),
      ...(orphan ? [{ kind: 'orphan-snapshots', repository: legacy, count: '1' }] : []),
      ...repos.map((r) => ({ kind: 'not-verified', repository: r, count: '1' })),
    ];

    await addSession(page, 'admin');
    await expect(async () => {
      const items = (await homeWhenRead(page)).filter((i) => i.datastore === String(DS) && !CAPACITY.has(i.kind));
      expect(items.map(({ kind, repository, count }) => ({ kind, repository, count }))).toEqual(expected);
    }).toPass({ timeout: 180_000, intervals: [2_000] });

    // How full the datastore is, against df on the backup server's file system: the share not
    // available, as the pages' "% free" counts it (used / size overstates what is left).
    const [size, avail] = execFileSync('df', ['-B1', '--output=size,avail', dsRoot], { encoding: 'utf8' })
      .trim()
      .split('\n')[1]!
      .trim()
      .split(/\s+/)
      .map(Number);
    const full = Math.round((1 - avail! / size!) * 100) >= 90;
    const all = await shownItems(page);
    expect(all.some((i) => i.kind === 'datastore-full' && i.datastore === String(DS))).toBe(full);
    // Worst first over the whole list: critical, then warning, then info.
    const severities = await page
      .getByTestId('attention-item')
      .evaluateAll((lis) => lis.map((li) => li.querySelector('span')?.textContent ?? ''));
    const rank = { critical: 0, warning: 1, info: 2 } as Record<string, number>;
    expect(severities.map((s) => rank[s])).toEqual([...severities.map((s) => rank[s])].sort());

    // Every fix link leads to a page that exists.
    for (const item of all.filter((i) => i.href)) {
      const res = await page.request.get(item.href.split('#')[0]!);
      expect(res.status(), item.href).toBe(200);
    }
    // ... and the page that fixes it shows the problem.
    const fixOf = (kind: string, repository: string) =>
      page
        .locator(`[data-testid="attention-item"][data-kind="${kind}"][data-repository="${repository}"]`)
        .getByTestId('attention-fix');
    if (locks > 0) {
      await fixOf('stale-lock', legacy).click();
      await expect(page).toHaveURL(new RegExp(`/datastores/${DS}/maintenance/${legacy}#locks$`));
      const short = hexFiles(join(dsRoot, legacy, 'locks'))[0]!.slice(0, 8);
      await expectStaleLock(page, short);
      await page.goto('/');
    }
    if (dangling) {
      await fixOf('dangling-image', legacy).click();
      await expect(page.getByTestId(`dangling-${danglingImage.imageId}`)).toBeVisible({ timeout: 30_000 });
      await page.goto('/');
    }
    if (orphan) {
      await fixOf('orphan-snapshots', legacy).click();
      await expect(page.getByTestId('orphans-panel')).toContainText(orphanSnapshot.snapshot.slice(0, 8), {
        timeout: 30_000,
      });
    }
  });

  test('after a check of a repository, the home page no longer lists it as not verified', async ({ page, sandbox }) => {
    test.setTimeout(240_000);
    // The web VM's repository: healthy, unlocked, and no other spec looks at its check.
    const web = String(sandbox.seed.vms.web);
    await addSession(page, 'admin');
    const item = page.locator(`[data-testid="attention-item"][data-kind="not-verified"][data-repository="${web}"]`);
    await expect(async () => {
      await homeWhenRead(page);
      await expect(item).toHaveCount(1);
    }).toPass({ timeout: 180_000, intervals: [2_000] });
    await item.getByTestId('attention-fix').click();
    await expect(page).toHaveURL(new RegExp(`/datastores/${DS}/maintenance/${web}$`));
    await expect(page.getByTestId('check-panel')).toContainText('never checked', { timeout: 30_000 });
    await page.getByTestId('check-run').click();
    await expect(page).toHaveURL(/\/jobs\/\d+$/, { timeout: 30_000 });
    await expect(page.getByTestId('job-status')).toHaveText(/succeeded/, { timeout: 180_000 });

    await homeWhenRead(page);
    await expect(item).toHaveCount(0);
    // The other repositories are still not verified.
    await expect(
      page.locator(`[data-testid="attention-item"][data-kind="not-verified"][data-datastore="${DS}"]`).first(),
    ).toBeVisible();
  });

  test('lists the seeded VMs that are not protected and the Backup Job that failed one, each leading to its fix', async ({
    page,
    sandbox,
  }) => {
    test.setTimeout(240_000);
    const { vms, backupJobId } = sandbox.seed;
    // The seed's backups are weeks old, so with the default 24 h its other VMs are overdue too: not
    // asserted here (e2e/vms.spec.ts sets the datastore's expected interval to tell them apart).
    await addSession(page, 'admin');
    // Ground truth: the Backup Job's ERROR_VMS as OpenNebula lists it now.
    const errorVms = [
      ...(
        /<ERROR_VMS>([\s\S]*?)<\/ERROR_VMS>/.exec(one('onebackupjob', 'show', '-x', String(backupJobId)))?.[1] ?? ''
      ).matchAll(/<ID>(\d+)<\/ID>/g),
    ].map((m) => m[1]!);
    const item = (kind: string, attr: string, id: number | string) =>
      page.locator(`[data-testid="attention-item"][data-kind="${kind}"][data-${attr}="${id}"]`);
    // Past a few VMs of one status, one item stands for them all (other specs of this worker add VMs).
    const grouped = (kind: string) =>
      page.locator(`[data-testid="attention-item"][data-kind="${kind}"]:not([data-vm])`);
    const listed = async (kind: string, id: number | string) =>
      expect((await item(kind, 'vm', id).count()) + (await grouped(kind).count())).toBe(1);
    await expect(async () => {
      await homeWhenRead(page);
      await expect(page.getByTestId('protection-summary')).toBeVisible();
      await listed('vm-overdue', vms.overdue);
      await listed('vm-never', vms.never);
      for (const id of errorVms) await listed('vm-failed', id);
      await expect(item('backup-job-error', 'backup-job', backupJobId)).toHaveCount(errorVms.length > 0 ? 1 : 0);
    }).toPass({ timeout: 180_000, intervals: [2_000] });
    await expect(page.getByTestId('protection-summary')).toContainText(/\d+ VMs: \d+ protected/);

    // The fixes: Back up now on the VM's page (or the list of such VMs), Retry failed on the Backup Job's.
    if ((await grouped('vm-never').count()) === 0) {
      await item('vm-never', 'vm', vms.never).getByTestId('attention-fix').click();
      await expect(page).toHaveURL(new RegExp(`/vms/${vms.never}$`));
      await expect(page.getByTestId('backup-now-panel')).toBeVisible();
    } else {
      await grouped('vm-never').getByTestId('attention-fix').click();
      await expect(page).toHaveURL(/\/vms\?status=never$/);
      await expect(page.getByTestId(`vm-row-${vms.never}`)).toBeVisible();
    }
    if (errorVms.length > 0) {
      await page.goto('/');
      await item('backup-job-error', 'backup-job', backupJobId).getByTestId('attention-fix').click();
      await expect(page).toHaveURL(new RegExp(`/backup-jobs/${backupJobId}$`));
      await expect(page.getByRole('button', { name: /Retry failed/ })).toBeVisible();
    }
    // The summary's counts lead to the VMs of that status.
    await page.goto('/');
    await page.getByTestId('protection-summary').getByRole('link', { name: /never/ }).click();
    await expect(page).toHaveURL(/\/vms\?status=never$/);
  });

  test('a VM owner’s home lists only what concerns their own VMs, and the System page is not theirs', async ({
    page,
    sandbox,
  }) => {
    test.setTimeout(180_000);
    const { vms, backupJobId } = sandbox.seed;
    // alice owns db-primary and ci-runner (in the Backup Job's repository, shared with bob).
    const hers = new Set([String(vms.db), `job_${backupJobId}`]);
    await addSession(page, 'user');
    const items = await homeWhenRead(page);
    for (const i of items.filter((x) => x.repository)) expect(hers.has(i.repository), i.repository).toBe(true);
    // Maintenance, verification and capacity are the admins'.
    expect(items.filter((i) => ['not-verified', 'check-failed', ...CAPACITY].includes(i.kind))).toEqual([]);
    expect(items.filter((i) => i.href.includes('/maintenance/'))).toEqual([]);
    await expect(page.getByTestId('attention')).not.toContainText(String(sandbox.seed.vms.legacy) + ' (');
    await expect(page.getByTestId('attention')).not.toContainText('legacy-erp');

    await expect(page.getByTestId('sidebar').getByRole('link', { name: 'System' })).toHaveCount(0);
    const res = await page.goto('/system');
    expect(res?.status()).toBe(403);
    await expect(page.getByTestId('forbidden')).toBeVisible();
  });
});
