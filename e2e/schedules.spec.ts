/*
 * Schedules of a datastore (lib/schedules, the Maintenance tab's Schedules panel): an admin sees
 * each schedule with its interval and runs, changes the verify interval (audited), and "Verify
 * all" starts a job that ends ok, after which the panel and the home page show the run; a VM
 * owner sees neither.
 * A datastore of its own with one backed-up VM: the seeded one holds a stale lock other specs need.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BackupServerInfo } from '../sandbox/common/info';
import { createVm } from '../sandbox/opennebula/ops/create-vm';
import { frontendPaths } from '../sandbox/opennebula/paths';
import { test, expect, addSession } from './fixtures';
import { one } from './support/one-cli';
import { loadSandbox } from './sandbox-env';

test.describe.configure({ mode: 'serial' });

let dsId: number;
let dsName: string;

function serverName(): string {
  return (
    JSON.parse(readFileSync(join(loadSandbox().stateDir, 'info.json'), 'utf8')) as { backupServer: BackupServerInfo }
  ).backupServer.name;
}

function createDatastore(name: string): number {
  const dir = mkdtempSync(join(tmpdir(), 'backstone-e2e-schedules-'));
  try {
    const tpl = join(dir, 'ds.tpl');
    writeFileSync(
      tpl,
      `NAME = "${name}"\nTYPE = "BACKUP_DS"\nDS_MAD = "restic"\nTM_MAD = "-"\nRESTIC_PASSWORD = "e2e-schedules-pw"\nRESTIC_SFTP_SERVER = "${serverName()}"\nRESTIC_SFTP_USER = "oneadmin"\n`,
    );
    return Number(/ID:\s*(\d+)/.exec(one('onedatastore', 'create', tpl))![1]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test.beforeAll(async ({ sandbox }) => {
  test.setTimeout(240_000);
  const vm = await createVm(frontendPaths(sandbox.stateDir), { name: 'scheduled-vm', uid: 0, disksMb: [8] });
  dsName = `schedules-${Date.now()}`;
  dsId = createDatastore(dsName);
  one('onevm', 'backup', String(vm), '-d', String(dsId));
  await expect
    .poll(() => /<BACKUP_IDS>\s*<ID>/.test(one('onevm', 'show', '-x', String(vm))), {
      timeout: 180_000,
      intervals: [500],
    })
    .toBe(true);
  await expect
    .poll(() => /<LCM_STATE>(69|70)<\/LCM_STATE>/.test(one('onevm', 'show', '-x', String(vm))), { timeout: 60_000 })
    .toBe(false);
});

test('an admin changes the verify interval (audited) and "Verify all" runs a job that ends ok', async ({ page }) => {
  test.setTimeout(240_000);
  await addSession(page, 'admin');
  await page.goto(`/datastores/${dsId}?tab=maintenance`);
  const panel = page.getByTestId('schedules-panel');
  await expect(panel).toBeVisible({ timeout: 60_000 });
  for (const kind of ['verify', 'prune', 'lock-watch', 'capacity'])
    await expect(panel.getByTestId(`schedule-${kind}`)).toBeVisible();
  await expect(panel.getByTestId('schedule-interval-verify')).toHaveText('every 7 days');
  await expect(panel.getByTestId('schedule-interval-lock-watch')).toHaveText('every 5 minutes');

  await panel.getByTestId('schedule-change-verify').click();
  await panel.getByTestId('schedule-enabled-verify').check();
  await panel.getByTestId('schedule-every-verify').fill('2');
  await panel.getByTestId('schedule-unit-verify').selectOption('days');
  await panel.getByTestId('schedule-subsets').fill('3');
  await panel.getByTestId('schedule-save-verify').click();
  await expect(panel.getByTestId('schedule-result-verify')).toContainText(
    `Verify of ${dsName}: on, every 2 days, N = 3`,
  );
  await page.reload();
  await expect(page.getByTestId('schedule-interval-verify')).toHaveText('every 2 days', { timeout: 60_000 });

  await page.goto('/audit');
  await expect(page.getByTestId('audit-table')).toContainText('schedule.update');
  await expect(page.getByTestId('audit-table')).toContainText(`verify: on, every 2 days, N = 3`);

  await page.goto(`/datastores/${dsId}?tab=maintenance`);
  await page.getByTestId('verify-all').click();
  await expect(page).toHaveURL(/\/jobs\/\d+$/, { timeout: 30_000 });
  await expect(page.getByTestId('job-status')).toHaveText(/succeeded/, { timeout: 180_000 });
  await expect(page.getByTestId('job-message')).toContainText('1 of 1 repository verified (subset 1/3)');

  await page.goto(`/datastores/${dsId}?tab=maintenance`);
  await expect(page.getByTestId('schedule-outcome-verify')).toHaveText('ok', { timeout: 60_000 });
  await expect(page.getByTestId('schedule-verify')).toContainText('next subset 2/3');

  // The home page's line for the datastore: the verify's last run and its outcome, and the next.
  await page.goto('/');
  const line = page.getByTestId(`home-schedule-${dsId}`);
  await expect(line).toContainText(/verify last .*ok/, { timeout: 60_000 });
  // Two days after the run started, in whole units ("in 1 day" a moment later).
  await expect(line).toContainText(/next in [12] days?/);
});

test('a VM owner sees no schedules panel', async ({ page }) => {
  await addSession(page, 'user');
  await page.goto(`/datastores/100?tab=maintenance`);
  await expect(page.getByTestId('maintenance-admins-only')).toBeVisible({ timeout: 60_000 });
  await expect(page.getByTestId('schedules-panel')).toHaveCount(0);
  await page.goto('/');
  await expect(page.getByTestId('home-schedules')).toHaveCount(0);
});
