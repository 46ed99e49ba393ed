/*
 * The datastore wizard for an S3 datastore (issue 27) against the worker's sandbox and its real S3
 * server (moto, started once per state folder like the sandbox's sshd, stopped with it by PID):
 * S3 is offered because the front-end runs OpenNebula 7.4 and refused with the reason on 7.2; the
 * bucket step masks the secret key and warns about insecure TLS; every bucket check passes on a
 * good bucket; and the created datastore holds exactly RESTIC_BACKEND="S3" and the RESTIC_S3_*
 * attributes entered, no SFTP ones. Then that datastore in use: a VM backed up into it by the
 * front-end shows as a repository with its snapshot, one click restores its image into OpenNebula,
 * and a stale lock left in its repository (a restic killed with -9) shows as stale and goes with
 * one confirmed action. The secret key is in no response the browser got.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { Page } from '@playwright/test';
import { test, expect, addSession, expectStaleLock, gotoUntilVisible } from './fixtures';
import { one } from './support/one-cli';
import { ensureSandboxS3, type SandboxS3Info } from '../sandbox/s3-server/component';
import { addSecrets, secretsFile } from './support/secrets';
import { frontendPaths } from '../sandbox/opennebula/paths';
import { readConfig, writeConfig } from '../sandbox/opennebula/config';
import { createVm } from '../sandbox/opennebula/ops/create-vm';
import { leaveStaleExclusiveLockS3 } from '../sandbox/seed/stale-lock';

test.describe.configure({ mode: 'serial' });

const bodies: Promise<string>[] = [];
let s3: SandboxS3Info;
const bucket = `wizard-e2e-${randomUUID().slice(0, 8)}`;
/** The datastore the wizard created, its restic password, and the VM backed up into it. */
let created: { id: number; password: string } | undefined;
let backedUp: { vm: number; imageId: number } | undefined;

const s3Client = () =>
  new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });

test.beforeAll(async ({ sandbox }) => {
  test.setTimeout(120_000);
  s3 = (await ensureSandboxS3(sandbox.stateDir)).info;
  // The run's secrets scan (argv, environments, responses, logs, the database) looks for it too.
  addSecrets(secretsFile(sandbox.stateDir), [{ name: 'the S3 secret access key', value: s3.secretAccessKey }]);
  const client = s3Client();
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } finally {
    client.destroy();
  }
});

test.beforeEach(async ({ page }) => {
  page.on('response', (r) =>
    bodies.push(
      r.body().then(
        (b) => b.toString('utf8'),
        () => '',
      ),
    ),
  );
});

test.afterEach(async () => {
  const seen = await Promise.all(bodies.splice(0));
  expect(
    seen.filter((b) => b.includes(s3.secretAccessKey)),
    'responses holding the S3 secret key',
  ).toEqual([]);
});

const field = (page: Page, name: string) => page.locator(`[name="${name}"]`);
const stepHeading = (page: Page, title: string) => page.getByRole('heading', { level: 2, name: title, exact: true });
const check = (page: Page, id: string) => page.getByTestId('preflight-checks').getByTestId(`check-${id}`);

async function next(page: Page, expectTitle: string): Promise<void> {
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(stepHeading(page, expectTitle)).toBeVisible();
}

function templateOf(xml: string): Record<string, string> {
  const body = /<TEMPLATE>([\s\S]*?)<\/TEMPLATE>/.exec(xml)?.[1] ?? '';
  return Object.fromEntries(
    [...body.matchAll(/<([A-Z0-9_]+)>(?:<!\[CDATA\[([\s\S]*?)\]\]>|([^<]*))<\/\1>/g)].map((m) => [
      m[1]!,
      m[2] ?? m[3] ?? '',
    ]),
  );
}

test('create an S3 datastore through the wizard: every bucket check passes and OpenNebula holds the S3 template', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const name = `wizard-s3-${randomUUID().slice(0, 8)}`;
  await addSession(page, 'admin');
  await page.goto('/datastores/new');
  await expect(page.getByTestId('backend-SFTP')).toBeChecked();
  await expect(page.getByTestId('backend-S3')).toBeEnabled();
  await field(page, 'NAME').fill(name);
  await page.getByTestId('backend-S3').check();
  await next(page, 'S3 bucket');
  await expect(field(page, 'RESTIC_SFTP_SERVER')).toHaveCount(0);
  await field(page, 'RESTIC_S3_ENDPOINT').fill(s3.endpoint);
  await field(page, 'RESTIC_S3_BUCKET').fill(bucket);
  await field(page, 'RESTIC_S3_ACCESS_KEY_ID').fill(s3.accessKeyId);
  await expect(field(page, 'RESTIC_S3_SECRET_ACCESS_KEY')).toHaveAttribute('type', 'password');
  await field(page, 'RESTIC_S3_SECRET_ACCESS_KEY').fill(s3.secretAccessKey);
  await field(page, 'RESTIC_S3_FORCE_PATH_STYLE').check();
  // Insecure TLS says what it costs as soon as it is ticked.
  await field(page, 'RESTIC_S3_INSECURE_TLS').check();
  await expect(page.getByTestId('warning-RESTIC_S3_INSECURE_TLS')).toContainText('read and change the backups');
  await field(page, 'RESTIC_S3_INSECURE_TLS').uncheck();
  await expect(page.getByTestId('warning-RESTIC_S3_INSECURE_TLS')).toHaveCount(0);
  await field(page, 'TOTAL_MB').fill('512000');
  await next(page, 'Repository');
  await page.getByRole('button', { name: 'Generate' }).click();
  const password = await field(page, 'RESTIC_PASSWORD').inputValue();
  await next(page, 'Performance and limits');
  await expect(field(page, 'RESTIC_CONNECTIONS')).toHaveCount(0);
  await next(page, 'Check the bucket');

  for (const id of ['endpoint', 'tls', 'credentials', 'bucket', 'shared-bucket', 'restic'])
    await expect(check(page, id)).toHaveAttribute('data-status', 'pass', { timeout: 60_000 });
  await expect(page.getByText(`s3:${s3.endpoint}/${bucket}`, { exact: true })).toBeVisible();

  await next(page, 'Review');
  const shown = await page.getByTestId('template-text').textContent();
  expect(shown).toContain('RESTIC_BACKEND = "S3"');
  expect(shown).not.toContain(s3.secretAccessKey);
  expect(shown).not.toContain('RESTIC_SFTP');
  await page.getByRole('button', { name: 'Create datastore' }).click();
  await page.waitForURL(/\/datastores\/\d+\?created=1/, { timeout: 30_000 });
  const id = /\/datastores\/(\d+)/.exec(page.url())![1]!;

  const xml = one('onedatastore', 'show', '-x', '--decrypt', id);
  expect(xml).toMatch(new RegExp(`<NAME>(?:<!\\[CDATA\\[)?${name}`));
  const t = templateOf(xml);
  expect(t).toMatchObject({
    DS_MAD: 'restic',
    TM_MAD: '-',
    TYPE: 'BACKUP_DS',
    RESTIC_BACKEND: 'S3',
    RESTIC_S3_ENDPOINT: s3.endpoint,
    RESTIC_S3_BUCKET: bucket,
    RESTIC_S3_ACCESS_KEY_ID: s3.accessKeyId,
    RESTIC_S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    RESTIC_S3_FORCE_PATH_STYLE: 'YES',
    TOTAL_MB: '512000',
    RESTIC_PASSWORD: password,
  });
  expect(Object.keys(t).filter((k) => k.startsWith('RESTIC_SFTP') || k === 'RESTIC_CONNECTIONS')).toEqual([]);
  expect(t).not.toHaveProperty('RESTIC_S3_INSECURE_TLS');
  created = { id: Number(id), password };
});

function backupIds(vmId: number): number[] {
  const ids = /<BACKUP_IDS>([\s\S]*?)<\/BACKUP_IDS>/.exec(one('onevm', 'show', '-x', String(vmId)))?.[1] ?? '';
  return [...ids.matchAll(/<ID>(\d+)<\/ID>/g)].map((m) => Number(m[1]));
}

test('the S3 datastore in use: a backup shows as a repository with its snapshot, and one click restores it', async ({
  page,
  sandbox,
}) => {
  test.setTimeout(240_000);
  expect(created, 'the wizard created the S3 datastore').toBeDefined();
  const ds = created!.id;
  const vm = await createVm(frontendPaths(sandbox.stateDir), { name: 's3-e2e', uid: 0, disksMb: [16] });
  one('onevm', 'backup', String(vm), '-d', String(ds));
  await expect.poll(() => backupIds(vm).length, { timeout: 180_000, intervals: [500] }).toBe(1);
  await expect
    .poll(() => /<LCM_STATE>(69|70)<\/LCM_STATE>/.test(one('onevm', 'show', '-x', String(vm))), { timeout: 60_000 })
    .toBe(false);
  const imageId = backupIds(vm)[0]!;
  backedUp = { vm, imageId };
  await addSession(page, 'admin');
  // The repository is read from the bucket: listed on the datastore's page, its snapshot on its own.
  await page.goto(`/datastores/${ds}`);
  await expect(page.getByTestId('repositories-table').getByTestId(`repo-row-${vm}`)).toBeVisible({
    timeout: 30_000,
  });
  await gotoUntilVisible(page, `/datastores/${ds}/repos/${vm}`, page.getByTestId(`chain-${imageId}`));
  const snapshot = /<SOURCE>(?:<!\[CDATA\[)?([0-9a-f]+)/.exec(one('oneimage', 'show', '-x', String(imageId)))![1]!;
  await expect(page.getByTestId('snapshots-table').getByTestId(`snapshot-row-${snapshot}`)).toBeVisible();
  // One click: restored into OpenNebula's first image datastore by the front-end (restic runs there for S3).
  await page.getByTestId(`restore-${imageId}`).click();
  const dialog = page.locator('dialog[open]');
  await expect(dialog.getByRole('tab', { name: "Onto Backstone's machine" })).toBeVisible();
  await dialog.getByTestId('restore-submit').click();
  await expect(page).toHaveURL(/\/jobs\/\d+$/, { timeout: 30_000 });
  await expect(page.getByTestId('job-status')).toHaveText(/succeeded/, { timeout: 120_000 });
  const restored = (await page.getByTestId('result-images').textContent())!.split(',').map((v) => Number(v.trim()));
  expect(one('oneimage', 'show', '-x', String(restored[0]))).toMatch(/<STATE>1<\/STATE>/);
});

test('a stale lock left in an S3 repository shows as stale, and goes with one confirmed action', async ({
  page,
  sandbox,
}) => {
  test.setTimeout(120_000);
  expect(backedUp, 'a VM was backed up into the S3 datastore').toBeDefined();
  const { vm } = backedUp!;
  const paths = frontendPaths(sandbox.stateDir);
  const aws = {
    AWS_ACCESS_KEY_ID: s3.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
    AWS_DEFAULT_REGION: s3.region,
  };
  const url = `s3:${s3.endpoint}/${bucket}/${vm}`;
  await leaveStaleExclusiveLockS3(
    readConfig(paths),
    url,
    aws,
    created!.password,
    paths.one,
    join(paths.logDir, 'e2e.log'),
  );
  const client = s3Client();
  let lock: string;
  try {
    const listed = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: `${vm}/locks/` }));
    const keys = (listed.Contents ?? []).map((o) => o.Key!.split('/').pop()!);
    expect(keys, 'one lock object left by the killed restic').toHaveLength(1);
    lock = keys[0]!;
  } finally {
    client.destroy();
  }
  const short = lock.slice(0, 8);
  await addSession(page, 'admin');
  await page.goto(`/datastores/${created!.id}/maintenance/${vm}`);
  await expectStaleLock(page, short);
  await expect(page.getByTestId(`lock-row-${short}`)).toContainText('exclusive');
  await page.getByTestId('remove-stale-locks').click();
  await page.getByTestId('confirm-remove-stale-locks').click();
  await expect(page.getByTestId('unlock-message')).toContainText(`Removed 1 stale lock: ${short}`, { timeout: 30_000 });
});

test('the S3 check names the fix for a bucket that does not exist', async ({ page }) => {
  test.setTimeout(60_000);
  await addSession(page, 'admin');
  await page.goto('/datastores/new');
  await field(page, 'NAME').fill(`wizard-s3-${randomUUID().slice(0, 8)}`);
  await page.getByTestId('backend-S3').check();
  await next(page, 'S3 bucket');
  await field(page, 'RESTIC_S3_ENDPOINT').fill(s3.endpoint);
  await field(page, 'RESTIC_S3_BUCKET').fill('no-such-bucket-here');
  await field(page, 'RESTIC_S3_ACCESS_KEY_ID').fill(s3.accessKeyId);
  await field(page, 'RESTIC_S3_SECRET_ACCESS_KEY').fill(s3.secretAccessKey);
  await field(page, 'RESTIC_S3_FORCE_PATH_STYLE').check();
  await next(page, 'Repository');
  await page.getByRole('button', { name: 'Generate' }).click();
  await next(page, 'Performance and limits');
  await next(page, 'Check the bucket');
  await expect(check(page, 'bucket')).toHaveAttribute('data-status', 'fail', { timeout: 30_000 });
  await expect(check(page, 'bucket').getByTestId('check-fix')).toContainText('correct RESTIC_S3_BUCKET');
  await expect(check(page, 'credentials')).toHaveAttribute('data-status', 'pass');
});

test('before OpenNebula 7.4 the S3 choice is disabled, with the reason', async ({ page, sandbox }) => {
  const paths = frontendPaths(sandbox.stateDir);
  const cfg = readConfig(paths);
  writeConfig(paths, { ...cfg, version: '7.2.0' });
  try {
    await addSession(page, 'admin');
    // The CLI's answers are cached for a few seconds: reload until the page reads the new version.
    await expect(async () => {
      await page.goto('/datastores/new');
      await expect(page.getByTestId('backend-S3')).toBeDisabled({ timeout: 1_000 });
    }).toPass({ timeout: 30_000 });
    await expect(page.getByTestId('backend-help')).toContainText(
      'S3 datastores need OpenNebula 7.4 or later; this front-end runs OpenNebula 7.2.0.',
    );
    await expect(page.getByTestId('backend-SFTP')).toBeChecked();
  } finally {
    writeConfig(paths, cfg);
  }
});
