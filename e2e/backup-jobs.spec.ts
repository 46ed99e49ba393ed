/*
 * OpenNebula Backup Jobs (app/(console)/backup-jobs, lib/backup-jobs): the list and the detail show
 * the seeded job "nightly" with its VM lists (ci-runner in ERROR_VMS, app-worker UPDATED); Retry
 * failed backs the ERROR VM up; Run now moves LAST_BACKUP_TIME and backs every VM up, the new
 * snapshots then on the repository page; Cancel (typed confirmation) stops a running job; a VM
 * owner cannot see, run, retry or cancel a job that is not theirs (404, nothing changed).
 *
 * The worker's specs share one seeded cloud: the last test puts the job back as the seed left it
 * (ci-runner in ERROR_VMS from a run that found it restoring in place, LAST_BACKUP_TIME the seed's).
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { hold, isWaitingAt } from '../sandbox/opennebula/ops/holds';
import { frontendPaths } from '../sandbox/opennebula/paths';
import { SEED_EPOCH } from '../sandbox/seed/seed-demo-cloud';
import { test, expect, addSession, signIn, account } from './fixtures';
import { loadSandbox } from './sandbox-env';
import { builtAction } from './support/build-manifest';
import { one } from './support/one-cli';
import { callAction } from './support/server-actions';

const DS = 100;
const DAY = 86_400;
/**
 * When the put-back run happens: a minute after the seed's last run of the job
 * (sandbox/seed/seed-demo-cloud.ts), so the job's last run is as old as seeded while its snapshot's
 * time differs from the seeded one (snapshot lists sort by time; equal times would tie).
 */
const PUT_BACK_RUN = SEED_EPOCH + 17 * DAY + 1800 + 60;

type JobState = {
  lastBackupTime: number;
  updated: number[];
  outdated: number[];
  backingUp: number[];
  error: number[];
  errorText?: string;
};

const ids = (xml: string, list: string) =>
  [...(new RegExp(`<${list}>([\\s\\S]*?)</${list}>`).exec(xml)?.[1] ?? '').matchAll(/<ID>(\d+)<\/ID>/g)].map((m) =>
    Number(m[1]),
  );

/** The job as OpenNebula holds it (oneadmin's CLI): the ground truth the page is compared with. */
function jobState(id: number): JobState {
  const xml = one('onebackupjob', 'show', '-x', String(id));
  const errorText = /<ERROR><!\[CDATA\[([\s\S]*?)\]\]><\/ERROR>/.exec(xml)?.[1];
  return {
    lastBackupTime: Number(/<LAST_BACKUP_TIME>(\d+)</.exec(xml)?.[1] ?? '0'),
    updated: ids(xml, 'UPDATED_VMS'),
    outdated: ids(xml, 'OUTDATED_VMS'),
    backingUp: ids(xml, 'BACKING_UP_VMS'),
    error: ids(xml, 'ERROR_VMS'),
    ...(errorText === undefined ? {} : { errorText }),
  };
}

const drained = (s: JobState) => s.outdated.length === 0 && s.backingUp.length === 0;

function backupImageIds(vmId: number): number[] {
  const xml = one('onevm', 'show', '-x', String(vmId));
  return ids(xml, 'BACKUP_IDS');
}

function vmStates(vmId: number): [number, number] {
  const xml = one('onevm', 'show', '-x', String(vmId));
  return [Number(/<STATE>(\d+)</.exec(xml)![1]), Number(/<LCM_STATE>(\d+)</.exec(xml)![1])];
}

function imageSource(id: number): string {
  const xml = one('oneimage', 'show', '-x', String(id));
  return /<SOURCE>(?:<!\[CDATA\[)?([^<\]]*)/.exec(xml)![1]!;
}

/** Polls OpenNebula (bounded) until the job's run has ended. */
async function runEnded(id: number, timeout = 180_000): Promise<JobState> {
  await expect.poll(() => drained(jobState(id)), { timeout, intervals: [250, 500, 1_000] }).toBe(true);
  return jobState(id);
}

/** The new backup images' snapshots are listed on the Backup Job's repository page. */
async function snapshotsShown(page: Page, jobId: number, imageIds: number[]): Promise<void> {
  const sources = imageIds.map(imageSource);
  await expect(async () => {
    await page.goto(`/datastores/${DS}/repos/job_${jobId}`);
    const table = page.getByTestId('snapshots-table');
    for (const s of sources) await expect(table.getByTestId(`snapshot-row-${s}`)).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 120_000 });
}

test.describe.configure({ mode: 'serial' });

test('the list and the detail show the seeded Backup Job with its VM counts', async ({ page, sandbox }) => {
  const { backupJobId: id, vms } = sandbox.seed;
  expect(jobState(id)).toMatchObject({ updated: [vms.app], error: [vms.ci], outdated: [], backingUp: [] });
  await signIn(page, 'admin');
  await page.getByRole('link', { name: 'Backup Jobs' }).first().click();
  await expect(page).toHaveURL(/\/backup-jobs$/);
  const row = page.getByTestId(`backup-job-row-${id}`);
  await expect(row).toHaveAttribute('data-status', 'error');
  await expect(row.getByTestId('backup-job-status')).toHaveText('Error');
  await expect(row).toContainText('nightly');
  await expect(row).toContainText('oneadmin');
  await expect(row).toContainText(`RBackups (${DS})`);
  await expect(row).toContainText('FULL');
  await expect(row.getByTestId('backup-job-schedule')).toBeVisible();
  await expect(row.getByTestId('count-updated')).toHaveText('1');
  await expect(row.getByTestId('count-outdated')).toHaveText('0');
  await expect(row.getByTestId('count-backing-up')).toHaveText('0');
  await expect(row.getByTestId('count-error')).toHaveText('1');

  await row.getByTestId('backup-job-link').click();
  await expect(page).toHaveURL(new RegExp(`/backup-jobs/${id}$`));
  await expect(page.getByTestId('backup-job-name')).toHaveText('nightly');
  await expect(page.getByTestId('attr-keep-last')).toHaveText('3');
  await expect(page.getByTestId('attr-priority')).toHaveText('50');
  await expect(page.getByTestId('backup-job-datastore')).toHaveAttribute('href', `/datastores/${DS}`);
  const errors = page.getByTestId('vm-group-ERROR');
  await expect(errors).toHaveAttribute('data-count', '1');
  await expect(errors.getByTestId(`job-vm-${vms.ci}`)).toContainText('ci-runner');
  await expect(errors.getByRole('link', { name: 'ci-runner' })).toHaveAttribute('href', `/vms/${vms.ci}`);
  await expect(page.getByTestId('vm-group-UPDATED').getByTestId(`job-vm-${vms.app}`)).toContainText('app-worker');
  await expect(page.getByTestId('vm-group-BACKING_UP')).toHaveAttribute('data-count', '0');
  await expect(page.getByTestId('backup-job-error')).toContainText(
    `Could not create a new backup for VM ${vms.ci}, wrong state RESTORE.`,
  );
  // Retry is offered (a VM is in ERROR), Cancel is not (nothing runs).
  await expect(page.getByTestId('retry-failed')).toBeVisible();
  await expect(page.getByTestId('cancel-run')).toHaveCount(0);
});

test('Retry failed backs the ERROR VM up', async ({ page, sandbox }) => {
  test.setTimeout(300_000);
  const { backupJobId: id, vms } = sandbox.seed;
  const before = backupImageIds(vms.ci);
  await addSession(page, 'admin');
  await page.goto(`/backup-jobs/${id}`);
  await page.getByTestId('retry-failed').click();
  await expect(page.getByTestId('retry-message')).toContainText('Retrying');
  const after = await runEnded(id);
  expect(after.error).toEqual([]);
  expect(after.updated).toEqual([vms.app, vms.ci].sort((a, b) => a - b));
  expect(after.errorText).toBeUndefined();
  const fresh = backupImageIds(vms.ci).filter((i) => !before.includes(i));
  expect(fresh).toHaveLength(1);
  // The page follows the run until it ends.
  await expect(page.getByTestId('backup-job')).toHaveAttribute('data-status', 'ok', { timeout: 60_000 });
  await expect(page.getByTestId('retry-failed')).toHaveCount(0);
  await snapshotsShown(page, id, fresh);
});

test('Run now moves LAST_BACKUP_TIME and backs every VM of the job up', async ({ page, sandbox }) => {
  test.setTimeout(300_000);
  const { backupJobId: id, vms } = sandbox.seed;
  const members = [vms.app, vms.ci];
  const lastBefore = jobState(id).lastBackupTime;
  const imagesBefore = new Map(members.map((v) => [v, backupImageIds(v)]));
  await addSession(page, 'admin');
  await page.goto(`/backup-jobs/${id}`);
  const lastRunText = await page.getByTestId('attr-last-run').textContent();
  await page.getByTestId('run-now').click();
  await expect(page.getByTestId('run-message')).toContainText('started');
  const after = await runEnded(id);
  expect(after.lastBackupTime).toBeGreaterThan(lastBefore);
  expect(after.updated).toEqual([...members].sort((a, b) => a - b));
  expect(after.error).toEqual([]);
  const fresh = members.flatMap((v) => backupImageIds(v).filter((i) => !imagesBefore.get(v)!.includes(i)));
  expect(fresh).toHaveLength(2);
  await expect(page.getByTestId('backup-job')).toHaveAttribute('data-status', 'ok', { timeout: 60_000 });
  await expect(page.getByTestId('attr-last-run')).not.toHaveText(lastRunText ?? '');
  await snapshotsShown(page, id, fresh);
  await page.goto('/audit');
  await expect(page.getByTestId('audit-table')).toContainText('backupjob.run');
  await expect(page.getByTestId('audit-table')).toContainText(`onebackupjob backup ${id}`);
});

test('Cancel, confirmed by typing the job name, stops a running job', async ({ page, sandbox }) => {
  test.setTimeout(300_000);
  const { backupJobId: id, vms } = sandbox.seed;
  const paths = frontendPaths(sandbox.stateDir);
  const imagesBefore = backupImageIds(vms.app);
  await addSession(page, 'admin');
  await page.goto(`/backup-jobs/${id}`);
  // The first VM's backup waits at the driver, as a slow backup server would hold it.
  const release = hold(paths, 'backup');
  try {
    await page.getByTestId('run-now').click();
    await expect.poll(() => isWaitingAt(paths, 'backup'), { timeout: 60_000 }).toBe(true);
    await expect(page.getByTestId('backup-job')).toHaveAttribute('data-status', 'running', { timeout: 30_000 });
    await expect(page.getByTestId('vm-group-BACKING_UP').getByTestId(`job-vm-${vms.app}`)).toBeVisible();
    await expect(page.getByTestId('run-now')).toBeDisabled();
    const confirm = page.getByTestId('cancel-confirm');
    await confirm.fill('nightly-not');
    await expect(page.getByTestId('cancel-run')).toBeDisabled();
    await confirm.fill('nightly');
    await page.getByTestId('cancel-run').click();
    await expect(page.getByTestId('cancel-message')).toContainText('canceled');
    const canceled = jobState(id);
    expect([canceled.backingUp, canceled.outdated]).toEqual([[], []]);
  } finally {
    release();
  }
  // The backup that was running fails through the cancel; the VM that waited is never started.
  await expect.poll(() => jobState(id).error, { timeout: 120_000 }).toEqual([vms.app]);
  await expect.poll(() => vmStates(vms.app), { timeout: 120_000 }).toEqual([3, 3]);
  expect(backupImageIds(vms.app)).toEqual(imagesBefore);
  await expect(page.getByTestId('backup-job')).toHaveAttribute('data-status', 'error', { timeout: 60_000 });
  await expect(page.getByTestId('cancel-run')).toHaveCount(0);
});

test('a VM owner cannot see, run, retry or cancel another owner’s Backup Job', async ({ page, browser, sandbox }) => {
  const { backupJobId: id } = sandbox.seed;
  const before = one('onebackupjob', 'show', '-x', String(id));
  await addSession(page, 'user');
  await page.goto('/backup-jobs');
  await expect(page.getByTestId('no-backup-jobs')).toBeVisible();
  await expect(page.getByTestId(`backup-job-row-${id}`)).toHaveCount(0);
  expect((await page.goto(`/backup-jobs/${id}`))?.status()).toBe(404);

  const cookie = (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
  const s = loadSandbox();
  for (const [name, extra] of [
    ['runBackupJobAction', {}],
    ['retryBackupJobAction', {}],
    ['cancelBackupJobAction', { confirm: 'nightly' }],
  ] as const) {
    const action = builtAction(name);
    const form = new FormData();
    form.set('jobId', String(id));
    for (const [k, v] of Object.entries(extra)) form.set(k, v);
    const reply = await callAction({
      baseURL: s.baseURL,
      pagePath: `/backup-jobs/${id}`,
      actionId: action.id,
      args: [{ status: 'idle' }, form],
      cookie,
    });
    expect(reply.state, `${name} as ${account('user').name}`).toMatchObject({
      status: 'failed',
      message: 'There is no such Backup Job.',
    });
  }
  expect(one('onebackupjob', 'show', '-x', String(id))).toBe(before);
  // Each attempt is in the audit log, refused.
  const context = await browser.newContext({ baseURL: s.baseURL });
  const admin = await context.newPage();
  await addSession(admin, 'admin');
  await admin.goto('/audit');
  const audit = admin.getByTestId('audit-table');
  for (const a of ['backupjob.run', 'backupjob.retry', 'backupjob.cancel'])
    await expect(audit.locator('tr', { hasText: a }).filter({ hasText: 'refused' }).first()).toBeVisible();
  await context.close();
});

test('the job is put back as the seed left it (shared cloud)', async ({ sandbox }) => {
  test.setTimeout(300_000);
  const { backupJobId: id, vms } = sandbox.seed;
  const paths = frontendPaths(sandbox.stateDir);
  // As the seed did: a run at (about) the seed's last-run time that finds ci-runner restoring in place.
  const at = (t: number, cmd: string, ...args: string[]) => {
    const info = JSON.parse(execFileSync('cat', [join(sandbox.stateDir, 'info.json')], { encoding: 'utf8' })) as {
      frontend: { commandDir: string };
    };
    return execFileSync(join(info.frontend.commandDir, cmd), args, {
      encoding: 'utf8',
      env: { ...process.env, ONE_AUTH: account('admin').oneAuth, ONE_SANDBOX_NOW: String(t) },
    });
  };
  await expect.poll(() => vmStates(vms.ci), { timeout: 120_000 }).toEqual([8, 0]);
  const release = hold(paths, 'restore-vm');
  try {
    at(PUT_BACK_RUN - 600, 'onevm', 'restore', String(vms.ci), String(Math.max(...backupImageIds(vms.ci))));
    await expect.poll(() => isWaitingAt(paths, 'restore-vm'), { timeout: 60_000 }).toBe(true);
    at(PUT_BACK_RUN, 'onebackupjob', 'backup', String(id));
    await runEnded(id);
  } finally {
    release();
  }
  await expect.poll(() => vmStates(vms.ci), { timeout: 120_000 }).toEqual([8, 0]);
  await expect.poll(() => vmStates(vms.app), { timeout: 120_000 }).toEqual([3, 3]);
  expect(jobState(id)).toMatchObject({
    lastBackupTime: PUT_BACK_RUN,
    updated: [vms.app],
    error: [vms.ci],
    outdated: [],
    backingUp: [],
  });
});
