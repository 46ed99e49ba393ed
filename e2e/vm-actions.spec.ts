/*
 * One VM's page (/vms/[id]): Back up now on a running and on a powered-off VM makes a new backup
 * image (or increment) whose restic snapshot the repository page shows, the VM's BACKUP_POWEROFF
 * state shown live; a VM whose state refuses it gets OpenNebula's reason and nothing changes.
 * Restore in place is refused while the VM runs; after power off the VM's disk equals the chosen
 * increment's (ground truth: `restic dump` of each link of the chain). A VM owner cannot back up,
 * restore or reconfigure another owner's VM (404, nothing changed). The configuration form's
 * changes show in `onevm show -x`. The VMs are this spec's own (created here): no other spec uses them.
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { createVm } from '../sandbox/opennebula/ops/create-vm';
import { hold, isWaitingAt } from '../sandbox/opennebula/ops/holds';
import { frontendPaths } from '../sandbox/opennebula/paths';
import { readDb } from '../sandbox/opennebula/store/db';
import { vmDir } from '../sandbox/opennebula/vm/disks';
import { test, expect, addSession, sessionCookie } from './fixtures';
import { loadSandbox } from './sandbox-env';
import { serverInfo } from './support/backup-server';
import { builtAction } from './support/build-manifest';
import { one } from './support/one-cli';
import { datastorePassword, dumpFromRepository, sameImageContent, snapshotPaths } from './support/restic-local';
import { callAction } from './support/server-actions';

const DS = 100;
const vm = { running: -1, off: -1, busy: -1, restore: -1, bobs: -1 };

const paths = () => frontendPaths(loadSandbox().stateDir);
const showVm = (id: number) => one('onevm', 'show', '-x', String(id));
const vmStates = (id: number) => {
  const xml = showVm(id);
  return `${/<STATE>(\d+)<\/STATE>/.exec(xml)![1]},${/<LCM_STATE>(\d+)<\/LCM_STATE>/.exec(xml)![1]}`;
};
/** Idle: RUNNING (3,3) or POWEROFF (8,0). */
const idle = (id: number) => ['3,3', '8,0'].includes(vmStates(id));
/** What a VM holds that Back up now, restore or reconfigure would change (monitoring times left out). */
const vmRecord = (id: number) => showVm(id).replace(/<(LAST_POLL|STIME|ETIME)>\d+<\/\1>/g, '');

function backupIdsOf(id: number): number[] {
  const ids = /<BACKUP_IDS>([\s\S]*?)<\/BACKUP_IDS>/.exec(showVm(id))?.[1] ?? '';
  return [...ids.matchAll(/<ID>(\d+)<\/ID>/g)].map((m) => Number(m[1]));
}

/** An image's snapshots in chain order: its BACKUP_INCREMENTS, or SOURCE for a FULL image. */
function imageLinks(imageId: number): { id: number; source: string }[] {
  const xml = one('oneimage', 'show', '-x', String(imageId));
  const incs = [...xml.matchAll(/<INCREMENT>([\s\S]*?)<\/INCREMENT>/g)].map((m) => ({
    id: Number(/<ID>(?:<!\[CDATA\[)?(\d+)/.exec(m[1]!)![1]),
    source: /<SOURCE><!\[CDATA\[([^\]]*)\]\]><\/SOURCE>/.exec(m[1]!)![1]!,
  }));
  if (incs.length) return incs.sort((a, b) => a.id - b.id);
  return [{ id: 0, source: /<SOURCE><!\[CDATA\[([^\]]*)\]\]><\/SOURCE>/.exec(xml)![1]! }];
}

async function backupByCli(id: number): Promise<void> {
  one('onevm', 'backup', String(id), '-d', String(DS));
  await expect.poll(() => idle(id), { timeout: 180_000, intervals: [250, 500, 1_000] }).toBe(true);
}

/** Starts Back up now from the page (datastore 100, optionally a new chain). */
async function backUpNow(page: Page, opts: { reset?: boolean } = {}): Promise<void> {
  await page.getByTestId('backup-datastore').selectOption(String(DS));
  if (opts.reset) await page.getByTestId('backup-reset').check();
  await page.getByTestId('backup-now').click();
  await page.getByTestId('backup-confirm').click();
}

/** Reads the page again until `check` holds (what the server renders now, whatever the page followed live). */
async function eventually(page: Page, check: () => Promise<void>, timeout = 180_000): Promise<void> {
  await expect(async () => {
    await page.reload();
    await check();
  }).toPass({ timeout, intervals: [1_000, 2_000, 5_000] });
}

/** The repository page lists the snapshot behind the image's last link. */
async function repositoryShows(page: Page, vmId: number, imageId: number): Promise<void> {
  const last = imageLinks(imageId).at(-1)!;
  const link = page.getByTestId(`vm-link-${imageId}-${last.id}`);
  // The VM page links the snapshot once the repository's listing has it.
  await expect(async () => {
    await page.reload();
    await expect(link).toHaveAttribute('href', new RegExp(`/repos/${vmId}/snapshots/${last.source}`), {
      timeout: 2_000,
    });
  }).toPass({ timeout: 120_000 });
  await page.getByTestId(`vm-image-repo-${imageId}`).click();
  await expect(page).toHaveURL(new RegExp(`/datastores/${DS}/repos/${vmId}$`));
  await expect(page.getByTestId(`snapshot-link-${last.source.slice(0, 8)}`)).toBeVisible({ timeout: 60_000 });
}

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  test.setTimeout(300_000);
  const p = paths();
  vm.running = await createVm(p, { name: 'vmpage-running', uid: 0, disksMb: [8] });
  vm.off = await createVm(p, {
    name: 'vmpage-off',
    uid: 0,
    disksMb: [8],
    poweroff: true,
    backupConfig: { MODE: 'INCREMENT', INCREMENT_MODE: 'SNAPSHOT' },
  });
  vm.busy = await createVm(p, { name: 'vmpage-busy', uid: 0, disksMb: [8] });
  vm.restore = await createVm(p, {
    name: 'vmpage-restore',
    uid: 0,
    disksMb: [8],
    backupConfig: { MODE: 'INCREMENT', INCREMENT_MODE: 'SNAPSHOT' },
  });
  vm.bobs = await createVm(p, { name: 'vmpage-bobs', uid: 3, disksMb: [8] });
  // Three backups: increments 0, 1, 2, the guest writing before each.
  for (let i = 0; i < 3; i++) await backupByCli(vm.restore);
});

test('Back up now on a running VM makes a new backup image the repository page shows', async ({ page }) => {
  test.setTimeout(300_000);
  await addSession(page, 'admin');
  await page.goto(`/vms/${vm.running}`);
  await expect(page.getByTestId('vm-state')).toHaveText('RUNNING');
  await expect(page.getByTestId('vm-backups')).toContainText('No backups');
  await backUpNow(page);
  await expect(page.getByTestId('backup-outcome')).toContainText(`Backup of VM ${vm.running} started`);
  await expect.poll(() => backupIdsOf(vm.running).length, { timeout: 180_000 }).toBe(1);
  const image = backupIdsOf(vm.running)[0]!;
  // The page follows the backup until the new image is listed.
  await eventually(page, async () => {
    await expect(page.getByTestId(`vm-image-${image}`)).toBeVisible({ timeout: 2_000 });
    await expect(page.getByTestId('vm-state')).toHaveText('RUNNING', { timeout: 2_000 });
  });
  await repositoryShows(page, vm.running, image);
});

test('Back up now on a powered-off VM: BACKUP_POWEROFF live, then a new increment, then a new chain', async ({
  page,
}) => {
  test.setTimeout(400_000);
  await addSession(page, 'admin');
  await page.goto(`/vms/${vm.off}`);
  await expect(page.getByTestId('vm-state')).toHaveText('POWEROFF');
  const release = hold(paths(), 'backup');
  try {
    await backUpNow(page);
    await expect(page.getByTestId('backup-outcome')).toContainText('started');
    await expect.poll(() => isWaitingAt(paths(), 'backup'), { timeout: 60_000 }).toBe(true);
    await expect(page.getByTestId('vm-state')).toHaveText('BACKUP_POWEROFF', { timeout: 30_000 });
    await expect(page.getByTestId('backup-running')).toBeVisible();
  } finally {
    release();
  }
  await expect.poll(() => idle(vm.off), { timeout: 180_000 }).toBe(true);
  const image = backupIdsOf(vm.off)[0]!;
  await eventually(page, async () => {
    await expect(page.getByTestId('vm-state')).toHaveText('POWEROFF', { timeout: 2_000 });
    await expect(page.getByTestId(`vm-link-${image}-0`)).toBeVisible({ timeout: 2_000 });
  });
  // A second backup is an increment of the same image.
  await backUpNow(page);
  await expect(page.getByTestId('backup-outcome')).toContainText('started');
  await expect.poll(() => idle(vm.off), { timeout: 180_000 }).toBe(true);
  await eventually(page, () => expect(page.getByTestId(`vm-link-${image}-1`)).toBeVisible({ timeout: 2_000 }));
  expect(backupIdsOf(vm.off)).toEqual([image]);
  // "Start a new chain" makes a new image.
  await backUpNow(page, { reset: true });
  await expect.poll(() => backupIdsOf(vm.off).length, { timeout: 180_000 }).toBe(2);
  const chain = backupIdsOf(vm.off)[1]!;
  await expect.poll(() => idle(vm.off), { timeout: 120_000 }).toBe(true);
  await eventually(page, () => expect(page.getByTestId(`vm-image-${chain}`)).toBeVisible({ timeout: 2_000 }));
  await repositoryShows(page, vm.off, image);
});

test("a VM whose state refuses a backup: OpenNebula's reason is shown and nothing changes", async ({ page }) => {
  test.setTimeout(300_000);
  await addSession(page, 'admin');
  await page.goto(`/vms/${vm.busy}`);
  await expect(page.getByTestId('vm-state')).toHaveText('RUNNING');
  // Another backup (started elsewhere, held) puts the VM in BACKUP after the page was read.
  const release = hold(paths(), 'backup');
  try {
    one('onevm', 'backup', String(vm.busy), '-d', String(DS));
    await expect.poll(() => vmStates(vm.busy)).toBe('3,69');
    const before = vmRecord(vm.busy);
    await backUpNow(page);
    await expect(page.getByTestId('backup-outcome')).toHaveText(
      `Could not create a new backup for VM ${vm.busy}, wrong state BACKUP.`,
    );
    expect(vmRecord(vm.busy)).toEqual(before);
  } finally {
    release();
    // The held backup goes on once released: let it end even when the test failed, so it leaves
    // no process behind (polled with a bound; the assertion below says whether it ended).
    for (const until = Date.now() + 180_000; !idle(vm.busy) && Date.now() < until;)
      await new Promise((r) => setTimeout(r, 250));
  }
  expect(idle(vm.busy)).toBe(true);
  expect(backupIdsOf(vm.busy)).toHaveLength(1);
});

/** `restic dump` of each link of the chain up to `inc`, rebased into one qcow2 chain; returns its top. */
function groundTruth(imageId: number, inc: number): { top: string; cleanup: () => void } {
  const repoPath = join(serverInfo().datastoresRoot, String(DS), String(vm.restore));
  const password = datastorePassword(DS);
  const dumps = imageLinks(imageId)
    .filter((l) => l.id <= inc)
    .map((l) => {
      const path = snapshotPaths(repoPath, password, l.source).find((p) => p.endsWith(`/disk.0.${l.id}`))!;
      return dumpFromRepository(repoPath, password, l.source, path);
    });
  for (let i = 1; i < dumps.length; i++)
    execFileSync('qemu-img', ['rebase', '-q', '-u', '-F', 'qcow2', '-b', dumps[i - 1]!.file, dumps[i]!.file]);
  return { top: dumps.at(-1)!.file, cleanup: () => dumps.forEach((d) => d.cleanup()) };
}

/** Calls one of the VM page's server actions with a session cookie; returns the state it answered. */
async function callVmAction(name: string, cookie: string, fields: Record<string, string>) {
  const action = builtAction(name);
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  const reply = await callAction({
    baseURL: loadSandbox().baseURL,
    pagePath: `/vms/${vm.running}`,
    actionId: action.id,
    args: [{ status: 'idle' }, form],
    cookie,
  });
  return reply.state;
}
const restoreAction = (cookie: string, fields: Record<string, string>) =>
  callVmAction('restoreInPlaceAction', cookie, fields);

test("restore in place: refused while the VM runs; after power off the disk equals the chosen increment's", async ({
  page,
}) => {
  test.setTimeout(400_000);
  const image = backupIdsOf(vm.restore)[0]!;
  expect(imageLinks(image).map((l) => l.id)).toEqual([0, 1, 2]);
  const disk = join(vmDir(readDb(paths()).datastores.find((d) => d.id === 0)!.basePath, vm.restore), 'disk.0');
  const truth = groundTruth(image, 1);
  try {
    // The guest wrote before the third backup: the disk is not increment 1's now.
    expect(sameImageContent(truth.top, disk)).toBe(false);
    const admin = await sessionCookie('admin');
    await addSession(page, 'admin');
    await page.goto(`/vms/${vm.restore}`);
    await expect(page.getByTestId('vm-state')).toHaveText('RUNNING');
    // Running: no restore from the page, power off offered on its own.
    await expect(page.getByTestId('restore-in-place')).toBeDisabled();
    // What a stale page (or any client) could still send: OpenNebula refuses it in its own words.
    const before = vmRecord(vm.restore);
    const reply = await restoreAction(admin, {
      vmId: String(vm.restore),
      imageId: String(image),
      incrementId: '1',
      diskId: '',
      confirm: 'vmpage-restore',
    });
    expect(reply).toEqual({ status: 'failed', message: 'Could not restore VM, it must be in poweroff' });
    expect(vmRecord(vm.restore)).toEqual(before);
    expect(sameImageContent(truth.top, disk)).toBe(false);

    await page.getByTestId('poweroff').click();
    await page.getByTestId('poweroff-confirm').click();
    // The page then shows the VM powered off (the power-off form gives way to the restore form).
    await expect.poll(() => vmStates(vm.restore), { timeout: 60_000 }).toBe('8,0');
    await eventually(page, () => expect(page.getByTestId('vm-state')).toHaveText('POWEROFF', { timeout: 2_000 }));
    await page.getByTestId('restore-image').selectOption(String(image));
    await page.getByTestId('restore-increment').selectOption('1');
    // The button waits for the VM's name.
    await page.getByTestId('restore-confirm-input').fill('vmpage');
    await expect(page.getByTestId('restore-in-place')).toBeDisabled();
    await page.getByTestId('restore-confirm-input').fill('vmpage-restore');
    await page.getByTestId('restore-in-place').click();
    await expect(page.getByTestId('restore-outcome')).toContainText(`from image ${image} increment 1 started`);
    await expect.poll(() => vmStates(vm.restore), { timeout: 180_000 }).toBe('8,0');
    await eventually(page, () => expect(page.getByTestId('vm-state')).toHaveText('POWEROFF', { timeout: 2_000 }));
    expect(sameImageContent(truth.top, disk)).toBe(true);
    expect(showVm(vm.restore)).not.toContain('<ERROR>');
  } finally {
    truth.cleanup();
  }
});

test('the configuration form: its changes show in onevm show -x; bad values change nothing', async ({ page }) => {
  test.setTimeout(120_000);
  await addSession(page, 'admin');
  await page.goto(`/vms/${vm.running}`);
  const before = vmRecord(vm.running);
  await page.getByTestId('config-keep-last').fill('-3');
  await page.getByTestId('config-save').click();
  await expect(page.getByTestId('config-error-keepLast')).toBeVisible();
  expect(vmRecord(vm.running)).toEqual(before);

  await page.getByTestId('config-mode').selectOption('INCREMENT');
  await page.getByTestId('config-increment-mode').selectOption('SNAPSHOT');
  await page.getByTestId('config-keep-last').fill('5');
  await page.getByTestId('config-fs-freeze').selectOption('AGENT');
  await page.getByTestId('config-backup-volatile').check();
  await page.getByTestId('config-save').click();
  await expect(page.getByTestId('config-outcome')).toHaveText('Backup configuration saved.');
  const config = /<BACKUP_CONFIG>([\s\S]*?)<\/BACKUP_CONFIG>/.exec(showVm(vm.running))![1]!;
  const field = (k: string) => new RegExp(`<${k}><!\\[CDATA\\[([^\\]]*)\\]\\]></${k}>`).exec(config)?.[1];
  expect([
    field('MODE'),
    field('INCREMENT_MODE'),
    field('KEEP_LAST'),
    field('FS_FREEZE'),
    field('BACKUP_VOLATILE'),
  ]).toEqual(['INCREMENT', 'SNAPSHOT', '5', 'AGENT', 'YES']);
  // The VM's other sections are untouched (append mode).
  expect(showVm(vm.running)).toContain('<OS>');
});

test("a VM owner cannot see, back up, restore or reconfigure another owner's VM: 404, nothing changed", async ({
  page,
}) => {
  test.setTimeout(180_000);
  await addSession(page, 'user');
  const res = await page.goto(`/vms/${vm.bobs}`);
  expect(res?.status()).toBe(404);
  await expect(page.getByText('There is nothing at this address.')).toBeVisible();

  const alice = await sessionCookie('user');
  const before = vmRecord(vm.bobs);
  const image = backupIdsOf(vm.running)[0]!;
  const calls: [string, Record<string, string>][] = [
    ['backupNowAction', { vmId: String(vm.bobs), datastoreId: String(DS), reset: '' }],
    ['powerOffAction', { vmId: String(vm.bobs), confirm: 'poweroff' }],
    [
      'restoreInPlaceAction',
      { vmId: String(vm.bobs), imageId: String(image), incrementId: '', diskId: '', confirm: 'vmpage-bobs' },
    ],
    [
      'backupConfigAction',
      {
        vmId: String(vm.bobs),
        mode: 'INCREMENT',
        incrementMode: 'CBT',
        keepLast: '2',
        fsFreeze: 'NONE',
        backupVolatile: '',
      },
    ],
  ];
  for (const [name, fields] of calls) {
    expect(await callVmAction(name, alice, fields), name).toEqual({
      status: 'failed',
      message: 'There is no such VM.',
    });
  }
  expect(vmRecord(vm.bobs)).toEqual(before);
  expect(backupIdsOf(vm.bobs)).toEqual([]);
});
