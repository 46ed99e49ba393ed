/*
 * Restore progress and results (issue 23): a chain restore onto the backup server ends with the
 * whole chain's bytes (the sum of its links as restic itself measures them, not the last link's);
 * a restore into OpenNebula ends listing the images and the VM template it made, with their names;
 * page titles name the datastore as OpenNebula does, with its ID.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { resticBinary } from '../sandbox/common/restic-binaries';
import { test, expect, addSession, gotoUntilVisible } from './fixtures';
import { serverInfo } from './support/backup-server';
import { one } from './support/one-cli';
import { datastorePassword } from './support/restic-local';

const DS = 100;

function imageIdsOf(vmId: number): number[] {
  const xml = one('onevm', 'show', '-x', String(vmId));
  const ids = /<BACKUP_IDS>([\s\S]*?)<\/BACKUP_IDS>/.exec(xml)?.[1] ?? '';
  return [...ids.matchAll(/<ID>(\d+)<\/ID>/g)].map((m) => Number(m[1]));
}

/** The snapshot IDs of a backup image's increments, as OpenNebula records them. */
function chainSnapshots(imageId: number): string[] {
  const xml = one('oneimage', 'show', '-x', String(imageId));
  return [...xml.matchAll(/<INCREMENT>[\s\S]*?<SOURCE><!\[CDATA\[([0-9a-f]+)\]\]><\/SOURCE>/g)].map((m) => m[1]!);
}

/** Ground truth: the bytes a restore of the snapshot writes, as restic itself counts them. */
function restoreSize(repoPath: string, password: string, snapshot: string): number {
  const dir = mkdtempSync(join(tmpdir(), 'backstone-progress-truth-'));
  try {
    const pw = join(dir, 'pw');
    writeFileSync(pw, password, { mode: 0o600 });
    const out = execFileSync(
      resticBinary('0.18'),
      [
        '--no-lock',
        `--password-file=${pw}`,
        `--repo=${repoPath}`,
        '--json',
        'stats',
        '--mode',
        'restore-size',
        snapshot,
      ],
      {
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: dir,
          RESTIC_CACHE_DIR: join(dir, 'cache'),
        } as unknown as NodeJS.ProcessEnv,
      },
    );
    return (JSON.parse(out.toString()) as { total_size: number }).total_size;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The object's own NAME (the first in its XML), CDATA or not. */
function nameIn(xml: string): string {
  return /<NAME>(?:<!\[CDATA\[)?([^<\]]*)/.exec(xml)?.[1] ?? '';
}

async function openRestore(page: Page, repo: string, imageId: number) {
  const restore = page.getByTestId(`restore-${imageId}`);
  await gotoUntilVisible(page, `/datastores/${DS}/repos/${repo}`, restore);
  await restore.click();
  const dialog = page.locator('dialog[open]');
  await expect(dialog).toBeVisible();
  return dialog;
}

async function jobOf(page: Page) {
  const id = /\/jobs\/(\d+)$/.exec(page.url())![1];
  const res = await page.request.get(`/api/jobs/${id}`);
  return ((await res.json()) as { job: { bytesDone?: number; bytesTotal?: number; title: string } }).job;
}

test.describe.configure({ mode: 'serial' });

test('page titles name the datastore with its ID', async ({ page, sandbox }) => {
  await addSession(page, 'admin');
  await page.goto(`/datastores/${DS}`);
  await expect(page).toHaveTitle(/RBackups \(100\)/);
  await page.goto(`/datastores/${DS}/repos/${sandbox.seed.vms.web}`);
  await expect(page).toHaveTitle(new RegExp(`Repository ${sandbox.seed.vms.web} · RBackups \\(100\\)`));
});

test('a chain restore onto the backup server counts the whole chain’s bytes', async ({ page, sandbox }) => {
  test.setTimeout(240_000);
  const vm = sandbox.seed.vms.db;
  const imageId = Math.max(...imageIdsOf(vm));
  const links = chainSnapshots(imageId);
  expect(links.length).toBeGreaterThanOrEqual(2);
  const repoPath = join(serverInfo().datastoresRoot, String(DS), String(vm));
  const password = datastorePassword(DS);
  const sizes = links.map((s) => restoreSize(repoPath, password, s));
  await addSession(page, 'admin');
  const dialog = await openRestore(page, String(vm), imageId);
  await dialog.getByRole('tab', { name: 'Onto the backup server' }).click();
  await dialog.getByLabel('New folder').fill(`e2e-progress-${Date.now()}`);
  await dialog.getByTestId('restore-server-submit').click();
  await expect(page).toHaveURL(/\/jobs\/\d+$/);
  await expect(page.getByTestId('job-status')).toHaveText(/succeeded/, { timeout: 180_000 });
  const job = await jobOf(page);
  const sum = sizes.reduce((a, b) => a + b, 0);
  expect(job.bytesTotal).toBe(sum);
  expect(job.bytesDone).toBe(sum);
  expect(job.bytesTotal).toBeGreaterThan(sizes.at(-1)!);
  await expect(page.getByTestId('job-bytes')).toBeVisible();
  await expect(page.getByTestId('result-files')).toContainText('disk.0.qcow2');
  await expect(page.getByTestId('result-files')).toContainText('vm.xml');
  await expect(page).toHaveTitle(/RBackups/);
});

test('an ended restore into OpenNebula lists the images and the template it made', async ({ page, sandbox }) => {
  test.setTimeout(240_000);
  const vm = sandbox.seed.vms.web;
  const imageId = Math.max(...imageIdsOf(vm));
  await addSession(page, 'admin');
  const dialog = await openRestore(page, String(vm), imageId);
  await dialog.getByTestId('restore-submit').click();
  await expect(page).toHaveURL(/\/jobs\/\d+$/);
  await expect(page.getByTestId('job-status')).toHaveText(/succeeded/, { timeout: 180_000 });
  const templateId = Number(await page.getByTestId('result-template').textContent());
  const templateName = nameIn(one('onetemplate', 'show', '-x', String(templateId)));
  expect(templateName).not.toBe('');
  await expect(page.getByTestId('result-template-name')).toContainText(templateName);
  const images = (await page.getByTestId('result-images').textContent())!.split(',').map((s) => Number(s.trim()));
  for (const id of images) {
    const name = nameIn(one('oneimage', 'show', '-x', String(id)));
    await expect(page.getByTestId('result-image-list')).toContainText(`Image ${id} “${name}”`);
  }
  // No Sunstone URL is configured here: each thing made comes with the exact command that shows it.
  await expect(page.getByTestId('result-vm-template-command')).toHaveText(`onetemplate show ${templateId}`);
  await expect(page.getByTestId('result-image-command')).toHaveCount(images.length);
  for (const id of images)
    await expect(
      page.getByTestId('result-image-command').filter({ hasText: new RegExp(`^oneimage show ${id}$`) }),
    ).toHaveCount(1);
  await expect(page.getByTestId('result-image-link')).toHaveCount(0);
  const job = await jobOf(page);
  expect(job.bytesTotal).toBeGreaterThan(0);
  expect(job.bytesDone).toBe(job.bytesTotal);
});
