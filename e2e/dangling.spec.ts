/**
 * Issue 23. (1) A dangling backup image (its snapshot forgotten behind OpenNebula's back) is listed
 * on the repository's maintenance page and deleted with `oneimage delete` after its ID is typed,
 * audited; OpenNebula's driver rm runs `forget --prune` of the missing snapshot, which restic
 * ignores, so the record goes. A fresh datastore and VM are used: the seed's dangling image stays
 * for the other specs. (2) The restore dialog of a locked repository (the seed's stale lock) warns
 * before Restore is pressed and links an admin to the Locks panel.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BackupServerInfo } from '../sandbox/common/info';
import { resticBinary } from '../sandbox/common/restic-binaries';
import { createVm } from '../sandbox/opennebula/ops/create-vm';
import { frontendPaths } from '../sandbox/opennebula/paths';
import { test, expect, addSession } from './fixtures';
import { one } from './support/one-cli';
import { datastorePassword } from './support/restic-local';
import { loadSandbox } from './sandbox-env';

function serverRoot(): string {
  return (
    JSON.parse(readFileSync(join(loadSandbox().stateDir, 'info.json'), 'utf8')) as { backupServer: BackupServerInfo }
  ).backupServer.datastoresRoot;
}

function backupIds(vmId: number): number[] {
  const ids = /<BACKUP_IDS>([\s\S]*?)<\/BACKUP_IDS>/.exec(one('onevm', 'show', '-x', String(vmId)))?.[1] ?? '';
  return [...ids.matchAll(/<ID>(\d+)<\/ID>/g)].map((m) => Number(m[1]));
}

function imageExists(id: number): boolean {
  try {
    one('oneimage', 'show', '-x', String(id));
    return true;
  } catch {
    return false;
  }
}

/** `restic forget` straight on the repository folder (this machine is the backup server), as the seed does. */
function forgetBehindOpenNebulasBack(repoPath: string, password: string, snapshot: string): void {
  const dir = mkdtempSync(join(tmpdir(), 'backstone-e2e-dangling-'));
  try {
    const pw = join(dir, 'pw');
    writeFileSync(pw, password, { mode: 0o600 });
    execFileSync(resticBinary('0.18'), [`--password-file=${pw}`, `--repo=${repoPath}`, 'forget', snapshot], {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: dir,
        RESTIC_CACHE_DIR: join(dir, 'cache'),
      } as unknown as NodeJS.ProcessEnv,
      stdio: 'ignore',
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test.describe('a dangling backup image', () => {
  test.describe.configure({ mode: 'serial' });
  let dsId: number;
  let vm: number;
  let imageId: number;

  test.beforeAll(async ({ sandbox }) => {
    test.setTimeout(240_000);
    vm = await createVm(frontendPaths(sandbox.stateDir), { name: 'dangle-me', uid: 0, disksMb: [16] });
    const dir = mkdtempSync(join(tmpdir(), 'backstone-e2e-dangling-ds-'));
    try {
      const tpl = join(dir, 'ds.tpl');
      const server = (
        JSON.parse(readFileSync(join(sandbox.stateDir, 'info.json'), 'utf8')) as { backupServer: BackupServerInfo }
      ).backupServer.name;
      writeFileSync(
        tpl,
        `NAME = "dangling-${Date.now()}"\nTYPE = "BACKUP_DS"\nDS_MAD = "restic"\nTM_MAD = "-"\nRESTIC_PASSWORD = "e2e-dangling-pw"\nRESTIC_SFTP_SERVER = "${server}"\nRESTIC_SFTP_USER = "oneadmin"\n`,
      );
      dsId = Number(/ID:\s*(\d+)/.exec(one('onedatastore', 'create', tpl))![1]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    one('onevm', 'backup', String(vm), '-d', String(dsId));
    await expect.poll(() => backupIds(vm).length, { timeout: 180_000, intervals: [500] }).toBe(1);
    await expect
      .poll(() => /<LCM_STATE>(69|70)<\/LCM_STATE>/.test(one('onevm', 'show', '-x', String(vm))), { timeout: 60_000 })
      .toBe(false);
    imageId = backupIds(vm)[0]!;
    const source = /<SOURCE><!\[CDATA\[([0-9a-f]+)\]\]><\/SOURCE>/.exec(
      one('oneimage', 'show', '-x', String(imageId)),
    )![1]!;
    forgetBehindOpenNebulasBack(join(serverRoot(), String(dsId), String(vm)), datastorePassword(dsId), source);
  });

  test('is listed, deleted with oneimage delete after its ID is typed, and audited', async ({ page }) => {
    test.setTimeout(180_000);
    await addSession(page, 'admin');
    await page.goto(`/datastores/${dsId}/maintenance/${vm}`);
    const row = page.getByTestId(`dangling-${imageId}`);
    await expect(row).toBeVisible({ timeout: 60_000 });
    const del = page.getByTestId(`dangling-delete-${imageId}`);
    await expect(del).toBeDisabled();
    await page.getByTestId(`dangling-confirm-${imageId}`).fill(String(imageId + 1));
    await expect(del).toBeDisabled();
    await page.getByTestId(`dangling-confirm-${imageId}`).fill(String(imageId));
    await del.click();
    await expect(page.getByTestId('dangling-message')).toContainText(`OpenNebula is deleting backup image ${imageId}`, {
      timeout: 60_000,
    });
    // The driver's forget --prune of a snapshot that is already gone succeeds: the record goes.
    await expect.poll(() => imageExists(imageId), { timeout: 120_000, intervals: [500] }).toBe(false);
    await page.reload();
    await expect(page.getByTestId('no-dangling')).toBeVisible({ timeout: 60_000 });
    await page.goto('/audit');
    await expect(page.getByTestId('audit-table')).toContainText('maintenance.dangling-image-delete');
    await expect(page.getByTestId('audit-table')).toContainText(`oneimage delete ${imageId}`);
  });
});

test('the restore dialog of a locked repository warns before Restore and links to the Locks panel', async ({
  page,
  sandbox,
}) => {
  const repo = String(sandbox.seed.vms.legacy);
  await addSession(page, 'admin');
  await page.goto(`/datastores/${sandbox.seed.datastoreId}/repos/${repo}`);
  await expect(page.getByTestId('repo-locks-link')).toBeVisible({ timeout: 30_000 });
  await page.locator('button[data-testid^="restore-"]:enabled').first().click();
  const dialog = page.locator('dialog[open]');
  await expect(dialog).toBeVisible();
  const warning = dialog.getByTestId('restore-locked-warning');
  await expect(warning).toContainText('This repository is locked (1 lock): a restore may fail while it stays locked');
  await expect(warning.getByRole('link', { name: /Locks panel/ })).toHaveAttribute(
    'href',
    `/datastores/${sandbox.seed.datastoreId}/maintenance/${repo}#locks`,
  );
});
