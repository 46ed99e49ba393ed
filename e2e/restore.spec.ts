/*
 * One-click restore and jobs (lib/jobs, app/(console)/jobs, the restore dialog): a restore into
 * OpenNebula gives images equal to the backed-up disk; a restore onto the backup server gives an
 * equal file; cancel stops the remote restic, removes the partial target and marks the job
 * canceled; an app restart marks a running job interrupted; the per-server limit queues a third
 * restore; a full filesystem fails clearly and leaves nothing behind.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { createVm } from '../sandbox/opennebula/ops/create-vm';
import { frontendPaths } from '../sandbox/opennebula/paths';
import { startApp, stopApp } from '../scripts/app-server';
import { test, expect, addSession, gotoUntilVisible } from './fixtures';
import { serverInfo, watchResticProcesses } from './support/backup-server';
import { one } from './support/one-cli';
import { datastorePassword, dumpFromRepository, sameImageContent, snapshotPaths } from './support/restic-local';

const DS = 100;

function imageIdsOf(vmId: number): number[] {
  const xml = one('onevm', 'show', '-x', String(vmId));
  const ids = /<BACKUP_IDS>([\s\S]*?)<\/BACKUP_IDS>/.exec(xml)?.[1] ?? '';
  return [...ids.matchAll(/<ID>(\d+)<\/ID>/g)].map((m) => Number(m[1]));
}

function imageField(id: number, field: string): string {
  const xml = one('oneimage', 'show', '-x', String(id));
  return new RegExp(`<${field}>(?:<!\\[CDATA\\[)?([^<\\]]*)`).exec(xml)?.[1] ?? '';
}

function snapshotDiskPath(repoPath: string, password: string, snapshot: string): string {
  return snapshotPaths(repoPath, password, snapshot).find((p) => /\/disk\.0\.\d+$/.test(p))!;
}

async function waitForJob(page: Page, statuses: RegExp, timeout = 120_000) {
  await expect(page.getByTestId('job-status')).toHaveText(statuses, { timeout });
}

/** Opens the restore dialog of a backup image; returns the open dialog. */
async function openRestore(page: Page, repo: string, imageId: number, datastoreId = DS) {
  const restore = page.getByTestId(`restore-${imageId}`);
  await gotoUntilVisible(page, `/datastores/${datastoreId}/repos/${repo}`, restore);
  await restore.click();
  const dialog = page.locator('dialog[open]');
  await expect(dialog).toBeVisible();
  return dialog;
}

test.describe.configure({ mode: 'serial' });

test('one click restores a backup into OpenNebula, and the disk equals the backed-up one', async ({
  page,
  sandbox,
}) => {
  test.setTimeout(180_000);
  const vm = sandbox.seed.vms.web;
  const imageId = Math.max(...imageIdsOf(vm));
  await addSession(page, 'admin');
  const dialog = await openRestore(page, String(vm), imageId);
  await dialog.getByTestId('restore-submit').click();
  await expect(page).toHaveURL(/\/jobs\/\d+$/);
  await waitForJob(page, /succeeded/);
  const template = await page.getByTestId('result-template').textContent();
  expect(Number(template)).toBeGreaterThanOrEqual(0);
  const restored = (await page.getByTestId('result-images').textContent())!.split(',').map((s) => Number(s.trim()));
  expect(imageField(restored[0]!, 'STATE')).toBe('1');
  // Ground truth: the disk file inside the backup's snapshot, read by restic itself.
  const repoPath = join(serverInfo().datastoresRoot, String(DS), String(vm));
  const password = datastorePassword(DS);
  const snapshot = imageField(imageId, 'SOURCE');
  const truth = dumpFromRepository(repoPath, password, snapshot, snapshotDiskPath(repoPath, password, snapshot));
  try {
    expect(sameImageContent(imageField(restored[0]!, 'SOURCE'), truth.file)).toBe(true);
  } finally {
    truth.cleanup();
  }
});

test('a restore onto the backup server gives a file equal to the backed-up disk', async ({ page, sandbox }) => {
  test.setTimeout(180_000);
  const vm = sandbox.seed.vms.web;
  const imageId = Math.max(...imageIdsOf(vm));
  await addSession(page, 'admin');
  const dialog = await openRestore(page, String(vm), imageId);
  await dialog.getByRole('tab', { name: 'Onto the backup server' }).click();
  await dialog.getByLabel('New folder').fill(`e2e-server-restore-${Date.now()}`);
  await dialog.getByTestId('restore-server-submit').click();
  await expect(page).toHaveURL(/\/jobs\/\d+$/);
  await waitForJob(page, /succeeded/);
  const target = (await page.getByTestId('result-target').textContent())!;
  const repoPath = join(serverInfo().datastoresRoot, String(DS), String(vm));
  const password = datastorePassword(DS);
  const snapshot = imageField(imageId, 'SOURCE');
  const truth = dumpFromRepository(repoPath, password, snapshot, snapshotDiskPath(repoPath, password, snapshot));
  try {
    expect(sameImageContent(join(target, 'disk.0.qcow2'), truth.file)).toBe(true);
    expect(existsSync(join(target, 'vm.xml'))).toBe(true);
    expect(readdirSync(target).sort()).toEqual(['disk.0.qcow2', 'vm.xml']);
  } finally {
    truth.cleanup();
  }
  // The same folder again is refused: nothing is restored over existing files.
  const again = await openRestore(page, String(vm), imageId);
  await again.getByRole('tab', { name: 'Onto the backup server' }).click();
  await again.getByLabel('New folder').fill(target.split('/').pop()!);
  await again.getByTestId('restore-server-submit').click();
  await expect(again.getByTestId('restore-error')).toContainText('already exists');
});

test.describe('slow restores', () => {
  let slowDs: number;
  let tinyDs: number | undefined;
  let bulky: number;
  let tinyMount: string | undefined;

  function createDatastore(name: string, extra: string): number {
    const dir = mkdtempDir();
    const tpl = join(dir, 'ds.tpl');
    const info = serverInfo() as ReturnType<typeof serverInfo> & { account?: string };
    writeFileSync(
      tpl,
      `NAME = "${name}"\nTYPE = "BACKUP_DS"\nDS_MAD = "restic"\nTM_MAD = "-"\nRESTIC_PASSWORD = "e2e-restore-pw"\nRESTIC_SFTP_SERVER = "${info.name}"\nRESTIC_SFTP_USER = "oneadmin"\n${extra}`,
    );
    const out = one('onedatastore', 'create', tpl);
    rmSync(dir, { recursive: true, force: true });
    return Number(/ID:\s*(\d+)/.exec(out)![1]);
  }

  function mkdtempDir(): string {
    const d = join(tmpdir(), `backstone-e2e-tpl-${process.pid}-${Date.now()}`);
    mkdirSync(d, { recursive: true });
    return d;
  }

  async function backupInto(dsId: number): Promise<number> {
    const before = new Set(imageIdsOf(bulky));
    one('onevm', 'backup', String(bulky), '-d', String(dsId));
    await expect
      .poll(() => imageIdsOf(bulky).filter((i) => !before.has(i)).length, { timeout: 180_000, intervals: [500] })
      .toBe(1);
    await expect
      .poll(() => /<LCM_STATE>(69|70)<\/LCM_STATE>/.test(one('onevm', 'show', '-x', String(bulky))), {
        timeout: 60_000,
      })
      .toBe(false);
    return imageIdsOf(bulky).find((i) => !before.has(i))!;
  }

  async function startServerRestore(page: Page, dsId: number, imageId: number, folder: string): Promise<number> {
    const dialog = await openRestore(page, String(bulky), imageId, dsId);
    await dialog.getByRole('tab', { name: 'Onto the backup server' }).click();
    await dialog.getByLabel('New folder').fill(folder);
    await dialog.getByTestId('restore-server-submit').click();
    await expect(page).toHaveURL(/\/jobs\/\d+$/);
    return Number(page.url().split('/').pop());
  }

  let slowImage: number;

  test.beforeAll(async ({ sandbox }) => {
    test.setTimeout(300_000);
    // A VM whose disk holds 6 MiB of random data (incompressible), and a datastore whose
    // RESTIC_BWLIMIT (256 KiB/s) makes restic take its time.
    bulky = await createVm(frontendPaths(sandbox.stateDir), { name: 'bulky', uid: 0, disksMb: [64] });
    const disk = /<DISK>[\s\S]*?<SOURCE><!\[CDATA\[([^\]]+)\]\]><\/SOURCE>/.exec(
      one('onevm', 'show', '-x', String(bulky)),
    )![1]!;
    const random = join(tmpdir(), `backstone-random-${process.pid}`);
    execFileSync('sh', ['-c', 'head -c 6291456 /dev/urandom > "$0"', random]);
    execFileSync('qemu-io', ['-f', 'qcow2', '-c', `write -s ${random} 0 6M`, disk]);
    rmSync(random, { force: true });
    slowDs = createDatastore(`slow-${Date.now()}`, 'RESTIC_BWLIMIT = "256"\n');
    slowImage = await backupInto(slowDs);
  });

  test.afterAll(() => {
    if (tinyMount) execFileSync('umount', [tinyMount]);
  });

  test('cancelling a restore stops the remote restic, removes the partial target and marks the job canceled', async ({
    page,
  }) => {
    test.setTimeout(120_000);
    await addSession(page, 'admin');
    const folder = `e2e-cancel-${Date.now()}`;
    const watch = watchResticProcesses();
    await startServerRestore(page, slowDs, slowImage, folder);
    await waitForJob(page, /running/, 30_000);
    await expect
      .poll(() => watch.stop().length + watchResticProcesses().stop().length, { timeout: 10_000 })
      .toBeGreaterThan(0);
    await page.getByTestId('cancel-job').click();
    await waitForJob(page, /canceled/, 30_000);
    const target = join(serverInfo().datastoresRoot.replace(/lib\/one\/datastores$/, 'tmp'), folder);
    expect(existsSync(target)).toBe(false);
    // The page says what the cancel did, and nothing says "Canceling" once it is done.
    await expect(page.getByTestId('job-message')).toContainText(`Removed the partial target`);
    await expect(page.getByTestId('job-message')).toContainText(folder);
    await expect(page.getByTestId('job-canceling')).toHaveCount(0);
    await expect(page.getByText('Canceling')).toHaveCount(0);
    await expect(page.getByTestId('cancel-job')).toHaveCount(0);
    // No restic of this sandbox is left running.
    const leftover = watchResticProcesses();
    await new Promise((r) => setTimeout(r, 200));
    expect(leftover.stop()).toEqual([]);
  });

  test('two restores on one backup server respect the limit: a third waits', async ({ page }) => {
    test.setTimeout(240_000);
    await addSession(page, 'admin');
    const ids: number[] = [];
    for (let i = 0; i < 3; i++)
      ids.push(await startServerRestore(page, slowDs, slowImage, `e2e-limit-${Date.now()}-${i}`));
    const statuses = async () => {
      const r = (await (await page.request.get('/api/jobs')).json()) as { jobs: { id: number; status: string }[] };
      return ids.map((id) => r.jobs.find((j) => j.id === id)?.status);
    };
    await expect
      // Generous: with the workers' sandboxes side by side on two cores, a job can take long to start.
      .poll(async () => (await statuses()).filter((s) => s === 'running').length, { timeout: 90_000 })
      .toBe(2);
    expect((await statuses()).filter((s) => s === 'queued')).toHaveLength(1);
    for (const id of ids) {
      await page.goto(`/jobs/${id}`);
      if (await page.getByTestId('cancel-job').isVisible()) await page.getByTestId('cancel-job').click();
      await waitForJob(page, /canceled|succeeded/, 60_000);
    }
  });

  test('stopping the app in the middle of a job: after restart the job is marked interrupted', async ({
    page,
    sandbox,
  }) => {
    test.setTimeout(120_000);
    await addSession(page, 'admin');
    const id = await startServerRestore(page, slowDs, slowImage, `e2e-interrupt-${Date.now()}`);
    await waitForJob(page, /running/, 30_000);
    await stopApp(sandbox.stateDir);
    await startApp(sandbox.stateDir);
    // The session survives the restart (it lives in the store and the cookie).
    await page.goto(`/jobs/${id}`);
    await waitForJob(page, /interrupted/, 10_000);
    await expect(page.getByTestId('job-message')).toContainText('Backstone stopped while this job was running');
  });

  test('a restore into a full filesystem fails with a clear message and leaves nothing behind', async ({
    page,
    sandbox,
  }) => {
    test.skip(process.getuid?.() !== 0, 'mounting a small tmpfs needs root');
    test.setTimeout(240_000);
    const root = join(sandbox.stateDir, 'root');
    tinyMount = join(root, 'var', 'tmp', 'tiny');
    mkdirSync(tinyMount, { recursive: true });
    execFileSync('mount', [
      '-t',
      'tmpfs',
      '-o',
      `size=1m,uid=${serverInfo().uid},gid=${serverInfo().uid},mode=0755`,
      'tmpfs',
      tinyMount,
    ]);
    tinyDs = createDatastore(`tiny-${Date.now()}`, 'RESTIC_TMP_DIR = "/var/tmp/tiny"\n');
    const tinyImage = await backupInto(tinyDs);
    await addSession(page, 'admin');
    await startServerRestore(page, tinyDs, tinyImage, 'will-not-fit');
    await waitForJob(page, /failed/, 120_000);
    await expect(page.getByTestId('job-message')).toContainText('is full');
    expect(readdirSync(tinyMount)).toEqual([]);
  });
});
