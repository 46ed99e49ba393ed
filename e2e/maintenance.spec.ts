/*
 * Repository maintenance (lib/maintenance, /datastores/[id]/maintenance/[repo]): the seeded stale
 * exclusive lock shows as stale with its PID and host and goes with one confirmed action; a lock
 * held by a running restic shows as possibly active and --remove-all is refused; after orphan
 * cleanup the prune preview shows the space to free and prune frees it; check passes on a healthy
 * repository and reports the damage on one whose pack file the test corrupted.
 */
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import type { BackupServerInfo } from '../sandbox/common/info';
import { holdExclusiveLock } from '../sandbox/backup-server/test-locks';
import { createVm } from '../sandbox/opennebula/ops/create-vm';
import { frontendPaths } from '../sandbox/opennebula/paths';
import { test, expect, addSession, expectStaleLock } from './fixtures';
import { one } from './support/one-cli';
import { datastorePassword } from './support/restic-local';
import { loadSandbox } from './sandbox-env';

const DS = 100;

test.describe.configure({ mode: 'serial' });

function fullInfo(): BackupServerInfo {
  return (
    JSON.parse(readFileSync(join(loadSandbox().stateDir, 'info.json'), 'utf8')) as { backupServer: BackupServerInfo }
  ).backupServer;
}

function repoPath(dsId: number, repo: string): string {
  return join(fullInfo().datastoresRoot, String(dsId), repo);
}

function lockFiles(path: string): string[] {
  return readdirSync(join(path, 'locks')).filter((f) => /^[0-9a-f]{64}$/.test(f));
}

function snapshotFiles(path: string): string[] {
  return readdirSync(join(path, 'snapshots')).filter((f) => /^[0-9a-f]{64}$/.test(f));
}

/** The repository's size on disk, as du counts it. */
function sizeOnDisk(path: string): number {
  return Number(execFileSync('du', ['-sb', path], { encoding: 'utf8' }).split('\t')[0]);
}

function pidAlive(pid: number): boolean {
  return existsSync(`/proc/${pid}`);
}

async function waitForJob(page: Page, statuses: RegExp, timeout = 120_000) {
  await expect(page).toHaveURL(/\/jobs\/\d+$/, { timeout: 30_000 });
  await expect(page.getByTestId('job-status')).toHaveText(statuses, { timeout });
}

async function openMaintenance(page: Page, repo: string, dsId = DS) {
  await page.goto(`/datastores/${dsId}/maintenance/${repo}`);
  await expect(page.getByTestId('locks-panel')).toBeVisible({ timeout: 30_000 });
}

test('the seeded stale exclusive lock shows as stale with its PID and host, and goes with one confirmed action', async ({
  page,
  sandbox,
}) => {
  test.setTimeout(120_000);
  const repo = String(sandbox.seed.vms.legacy);
  const path = repoPath(DS, repo);
  const [lock] = lockFiles(path);
  expect(lock, 'the seed leaves one stale lock').toBeDefined();
  const short = lock!.slice(0, 8);
  await addSession(page, 'admin');
  // The overview's lock badge links to the Locks panel.
  await page.goto(`/datastores/${DS}`);
  await page.getByTestId(`lock-${repo}`).click();
  await expect(page).toHaveURL(new RegExp(`/datastores/${DS}/maintenance/${repo}#locks$`), { timeout: 30_000 });
  // The datastore's Maintenance tab lists the same lock and leads back to the repository's panel.
  await page.goto(`/datastores/${DS}?tab=maintenance`);
  await expect(page.getByTestId('datastore-locks')).toContainText(short, { timeout: 30_000 });
  await page.getByTestId(`locks-of-${repo}`).click();
  await expect(page).toHaveURL(new RegExp(`/datastores/${DS}/maintenance/${repo}#locks$`), { timeout: 30_000 });
  const row = page.getByTestId(`lock-row-${short}`);
  await expect(row).toBeVisible();
  await expectStaleLock(page, short);
  await expect(row).toContainText('exclusive');
  await expect(page.getByTestId(`lock-host-${short}`)).toContainText(hostname());
  await expect(page.getByTestId(`lock-host-${short}`)).toContainText('backup server');
  const pid = Number(await page.getByTestId(`lock-pid-${short}`).textContent());
  expect(pid).toBeGreaterThan(0);
  expect(pidAlive(pid) && readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith('restic')).toBe(false);
  // Not running, or the PID now another process's, which the page names.
  await expect(page.getByTestId(`lock-process-${short}`)).toHaveText(/^(not running|PID reused \(.+\))$/);

  // One confirmed action.
  await page.getByTestId('remove-stale-locks').click();
  await page.getByTestId('confirm-remove-stale-locks').click();
  await expect(page.getByTestId('unlock-message')).toContainText(`Removed 1 stale lock: ${short}`, { timeout: 30_000 });
  expect(lockFiles(path)).toEqual([]);
  await expect(page.getByTestId('no-locks')).toBeVisible({ timeout: 30_000 });
  // The answer stays once the refresh has taken the last lock (and the forms) away.
  await expect(page.getByTestId('unlock-message')).toContainText(`Removed 1 stale lock: ${short}`);
  // Audited, with what was removed.
  await page.goto('/audit');
  await expect(page.getByTestId('audit-table')).toContainText('maintenance.unlock');
  await expect(page.getByTestId('audit-table')).toContainText(short);
});

test('a lock held by a running restic shows as possibly active, and --remove-all is refused', async ({
  page,
  sandbox,
}) => {
  test.setTimeout(120_000);
  const repo = String(sandbox.seed.vms.legacy);
  const path = repoPath(DS, repo);
  const held = await holdExclusiveLock(fullInfo(), path, datastorePassword(DS));
  try {
    const [lock] = lockFiles(path);
    const short = lock!.slice(0, 8);
    await addSession(page, 'admin');
    await openMaintenance(page, repo);
    await expect(page.getByTestId(`lock-verdict-${short}`)).toHaveText('possibly active');
    await expect(page.getByTestId(`lock-pid-${short}`)).toHaveText(String(held.pid));
    await expect(page.getByTestId(`lock-process-${short}`)).toHaveText('restic running');
    // The name must be typed before the button works.
    await expect(page.getByTestId('remove-all-locks')).toBeDisabled();
    await page.getByTestId('remove-all-confirm').fill(repo);
    await expect(page.getByTestId('remove-all-override')).not.toBeChecked();
    await page.getByTestId('remove-all-locks').click();
    await expect(page.getByTestId('remove-all-message')).toContainText('Refused', { timeout: 30_000 });
    await expect(page.getByTestId('remove-all-message')).toContainText('possibly active');
    // Nothing was removed and the restic still runs.
    expect(lockFiles(path)).toEqual([lock]);
    expect(pidAlive(held.pid)).toBe(true);
    // The safe unlock leaves a live lock alone too.
    await page.getByTestId('remove-stale-locks').click();
    await page.getByTestId('confirm-remove-stale-locks').click();
    await expect(page.getByTestId('unlock-message')).toContainText('No lock was removed', { timeout: 30_000 });
    expect(lockFiles(path)).toEqual([lock]);
    // The second, explicit confirmation overrides the refusal.
    await page.getByTestId('remove-all-confirm').fill(repo);
    await page.getByTestId('remove-all-override').check();
    await page.getByTestId('remove-all-locks').click();
    await expect(page.getByTestId('remove-all-message')).toContainText(`Removed 1 lock: ${short}`, { timeout: 30_000 });
    expect(lockFiles(path)).toEqual([]);
    await expect(page.getByTestId('no-locks')).toBeVisible({ timeout: 30_000 });
    await expect(page.getByTestId('remove-all-message')).toContainText(`Removed 1 lock: ${short}`);
    await expect(page.getByTestId('unlock-message')).toHaveCount(0);
  } finally {
    await held.release();
  }
  await expect.poll(() => lockFiles(path), { timeout: 10_000 }).toEqual([]);
  await page.goto('/audit');
  await expect(page.getByTestId('audit-table')).toContainText('maintenance.unlock-remove-all');
});

test('after orphan cleanup, the prune preview shows the space to free and prune frees it', async ({
  page,
  sandbox,
}) => {
  test.setTimeout(240_000);
  const repo = String(sandbox.seed.vms.legacy);
  const path = repoPath(DS, repo);
  const orphan = sandbox.seed.orphanSnapshot.snapshot;
  const before = snapshotFiles(path);
  expect(before.some((f) => f.startsWith(orphan))).toBe(true);
  await addSession(page, 'admin');
  await openMaintenance(page, repo);
  const preview = page.getByTestId('orphan-preview');
  await expect(preview).toContainText(orphan.slice(0, 8));
  // Only the orphan: every snapshot an image refers to stays out of the preview.
  await expect(preview.locator('tbody tr')).toHaveCount(1);
  await expect(page.getByTestId('orphan-forget')).toBeDisabled();
  await page.getByTestId('orphan-confirm').fill(repo);
  await page.getByTestId('orphan-forget').click();
  await waitForJob(page, /succeeded/);
  const after = snapshotFiles(path);
  expect(after.some((f) => f.startsWith(orphan))).toBe(false);
  expect(after.sort()).toEqual(before.filter((f) => !f.startsWith(orphan)).sort());

  const sizeBefore = sizeOnDisk(path);
  await openMaintenance(page, repo);
  await expect(page.getByTestId('no-orphans')).toBeVisible();
  await page.getByTestId('prune-preview').click();
  const free = page.getByTestId('prune-free');
  await expect(free).toBeVisible({ timeout: 60_000 });
  const toFree = Number(await free.getAttribute('data-bytes'));
  expect(toFree).toBeGreaterThan(0);
  // The dry run changed nothing.
  expect(sizeOnDisk(path)).toBe(sizeBefore);
  await page.getByTestId('prune-run').click();
  await waitForJob(page, /succeeded/);
  const sizeAfter = sizeOnDisk(path);
  expect(sizeAfter).toBeLessThan(sizeBefore);
  expect(sizeBefore - sizeAfter).toBeGreaterThanOrEqual(toFree * 0.5);
});

test.describe('check', () => {
  let dsId: number;
  let vm: number;

  function createDatastore(name: string): number {
    const dir = mkdtempSync(join(tmpdir(), 'backstone-e2e-maint-'));
    try {
      const tpl = join(dir, 'ds.tpl');
      writeFileSync(
        tpl,
        `NAME = "${name}"\nTYPE = "BACKUP_DS"\nDS_MAD = "restic"\nTM_MAD = "-"\nRESTIC_PASSWORD = "e2e-maint-pw"\nRESTIC_SFTP_SERVER = "${fullInfo().name}"\nRESTIC_SFTP_USER = "oneadmin"\n`,
      );
      return Number(/ID:\s*(\d+)/.exec(one('onedatastore', 'create', tpl))![1]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  function imageCount(vmId: number): number {
    const ids = /<BACKUP_IDS>([\s\S]*?)<\/BACKUP_IDS>/.exec(one('onevm', 'show', '-x', String(vmId)))?.[1] ?? '';
    return [...ids.matchAll(/<ID>(\d+)<\/ID>/g)].length;
  }

  test.beforeAll(async ({ sandbox }) => {
    test.setTimeout(240_000);
    vm = await createVm(frontendPaths(sandbox.stateDir), { name: 'check-me', uid: 0, disksMb: [16] });
    const disk = /<DISK>[\s\S]*?<SOURCE><!\[CDATA\[([^\]]+)\]\]><\/SOURCE>/.exec(
      one('onevm', 'show', '-x', String(vm)),
    )![1]!;
    const random = join(tmpdir(), `backstone-maint-random-${process.pid}`);
    writeFileSync(random, randomBytes(2 * 1024 * 1024));
    execFileSync('qemu-io', ['-f', 'qcow2', '-c', `write -s ${random} 0 2M`, disk]);
    rmSync(random, { force: true });
    dsId = createDatastore(`maint-check-${Date.now()}`);
    one('onevm', 'backup', String(vm), '-d', String(dsId));
    await expect.poll(() => imageCount(vm), { timeout: 180_000, intervals: [500] }).toBe(1);
    await expect
      .poll(() => /<LCM_STATE>(69|70)<\/LCM_STATE>/.test(one('onevm', 'show', '-x', String(vm))), { timeout: 60_000 })
      .toBe(false);
  });

  test('check passes on a healthy repository and reports the damage on one whose pack file was corrupted', async ({
    page,
  }) => {
    test.setTimeout(240_000);
    const repo = String(vm);
    await addSession(page, 'admin');
    await openMaintenance(page, repo, dsId);
    await expect(page.getByTestId('check-panel')).toContainText('never checked');
    await page.getByTestId('check-read-data').check();
    await page.getByTestId('check-percent').fill('100');
    await page.getByTestId('check-run').click();
    await waitForJob(page, /succeeded/);
    await expect(page.getByTestId('job-message')).toContainText('No errors were found');
    await openMaintenance(page, repo, dsId);
    await expect(page.getByTestId('check-verdict')).toContainText('verified just now');

    // Corrupt the biggest pack file in place (same size: only reading the data can tell).
    const data = join(repoPath(dsId, repo), 'data');
    const packs = readdirSync(data).flatMap((d) => readdirSync(join(data, d)).map((f) => join(data, d, f)));
    const biggest = packs.sort((a, b) => statSync(b).size - statSync(a).size)[0]!;
    const size = statSync(biggest).size;
    const mode = statSync(biggest).mode & 0o777;
    chmodSync(biggest, 0o600);
    const bytes = readFileSync(biggest);
    randomBytes(4096).copy(bytes, Math.floor(size / 2) - 2048);
    writeFileSync(biggest, bytes);
    chmodSync(biggest, mode);
    expect(statSync(biggest).size).toBe(size);

    await openMaintenance(page, repo, dsId);
    await page.getByTestId('check-read-data').check();
    await page.getByTestId('check-percent').fill('100');
    await page.getByTestId('check-run').click();
    await waitForJob(page, /failed/);
    await expect(page.getByTestId('job-message')).toContainText('found damage');
    await openMaintenance(page, repo, dsId);
    await expect(page.getByTestId('check-verdict')).toContainText('damaged');
    await expect(page.getByTestId('check-errors')).toContainText(biggest.split('/').pop()!.slice(0, 8));
  });
});
