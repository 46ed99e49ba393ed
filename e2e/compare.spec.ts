/*
 * The snapshot compare page (issue 23) on the seeded sandbox: in the Backup Job's repository (two
 * VMs, their snapshots interleaved) the default pair is two snapshots of one VM; a pair given
 * newer first is compared older → newer with a note, and the footer speaks of the newer one; a
 * changed vm.xml shows a readable line diff of the decoded XML.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test, expect, addSession } from './fixtures';
import { serverInfo } from './support/backup-server';

const DS = 100;
/** The seed's datastore password (sandbox/seed/seed-demo-cloud.ts). */
const RESTIC_PASSWORD = 'sandbox-restic-pw';

type Snap = { id: string; short_id: string; time: string; paths: string[]; tags?: string[] };

// Made per worker when its tests start: at module level it would also be made while Playwright lists tests.
let scratch = '';
test.beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'backstone-compare-'));
});
test.afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** restic run by the test itself on the repository folder (independent of Backstone). */
function restic(repo: string, ...args: string[]): Buffer {
  const info = serverInfo() as ReturnType<typeof serverInfo> & { restic: { path: string } };
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: scratch,
    RESTIC_PASSWORD,
    RESTIC_CACHE_DIR: join(scratch, 'restic-cache'),
  } as unknown as NodeJS.ProcessEnv;
  return execFileSync(
    info.restic.path,
    ['--no-lock', `--repo=${join(info.datastoresRoot, String(DS), repo)}`, ...args],
    { env, maxBuffer: 64 * 1024 * 1024 },
  );
}

/** Oldest first. */
function snapshots(repo: string): Snap[] {
  return (JSON.parse(restic(repo, 'snapshots', '--json').toString()) as Snap[]).sort((a, b) =>
    a.time.localeCompare(b.time),
  );
}

/** The VM a snapshot belongs to, by its tag one-<ID> (as OpenNebula's driver writes it). */
function vmOf(s: Snap): number {
  const tag = s.tags?.find((t) => /^one-\d+$/.test(t));
  return Number(tag!.slice(4));
}

function decodedVmXml(repo: string, s: Snap): string {
  const path = s.paths.find((p) => p.endsWith('/vm.xml'))!;
  return Buffer.from(restic(repo, 'dump', s.id, path).toString(), 'base64').toString('utf8');
}

test.beforeEach(async ({ page }) => {
  await addSession(page, 'admin');
});

test('in a Backup Job repository the default pair is two snapshots of the same VM', async ({ page, sandbox }) => {
  const job = `job_${sandbox.seed.backupJobId}`;
  const snaps = snapshots(job);
  const byId = new Map(snaps.map((s) => [s.id, s]));
  // The seed's job backed up two VMs, then only one of them, so its two newest snapshots are two
  // VMs' (other specs of this worker may have run the job since: then the pair is still one VM's).
  expect(new Set(snaps.map(vmOf)).size).toBe(2);

  await page.goto(`/datastores/${DS}/repos/${job}`);
  const form = page.getByTestId('compare-form');
  const from = byId.get(await form.getByLabel('Older snapshot').inputValue())!;
  const to = byId.get(await form.getByLabel('Newer snapshot').inputValue())!;
  expect(from).toBeDefined();
  expect(to).toBeDefined();
  expect(vmOf(from)).toBe(vmOf(to));
  expect(from.time < to.time).toBe(true);
  // Only that VM's snapshots are offered, and the form says so.
  const vm = vmOf(to);
  await expect(form.getByTestId('compare-scope')).toContainText(`only the snapshots of VM ${vm}`);
  await expect(form.getByLabel('Older snapshot').locator('option')).toHaveCount(
    snaps.filter((s) => vmOf(s) === vm).length,
  );
  await form.getByRole('button', { name: 'Compare two snapshots' }).click();
  await expect(page).toHaveURL(new RegExp(`/snapshots/compare\\?from=${from.id}&to=${to.id}`));
  await expect(page.getByTestId('diff')).toBeVisible();
  await expect(page.getByTestId('compare-two-vms')).toHaveCount(0);

  // The snapshot page's compare form pairs the snapshot with the previous one of its own VM.
  const newest = snaps.at(-1)!;
  const previousOfVm = snaps.filter((s) => vmOf(s) === vmOf(newest)).at(-2)!;
  await page.goto(`/datastores/${DS}/repos/${job}/snapshots/${newest.id}`);
  const snapForm = page.getByTestId('compare-form');
  await expect(snapForm.getByLabel('Older snapshot')).toHaveValue(previousOfVm.id);
  await expect(snapForm.getByLabel('Newer snapshot')).toHaveValue(newest.id);

  // Choosing the other VM offers its snapshots, paired among themselves.
  const other = snaps.map(vmOf).find((v) => v !== vm)!;
  await snapForm.getByLabel('VM', { exact: true }).selectOption(String(other));
  const otherSnaps = snaps.filter((s) => vmOf(s) === other);
  // Its two newest; a VM with one snapshot (the seed's second run could not back ci-runner up)
  // offers that one on both sides.
  await expect(snapForm.getByLabel('Older snapshot')).toHaveValue((otherSnaps.at(-2) ?? otherSnaps.at(-1)!).id);
  await expect(snapForm.getByLabel('Newer snapshot')).toHaveValue(otherSnaps.at(-1)!.id);
});

test('a pair given newer first is compared older → newer, with a note', async ({ page, sandbox }) => {
  const vm = String(sandbox.seed.vms.web);
  const [older, newer] = snapshots(vm).slice(-2) as [Snap, Snap];
  await page.goto(`/datastores/${DS}/repos/${vm}/snapshots/compare?from=${newer.id}&to=${older.id}`);
  await expect(page.getByTestId('compare-swapped')).toContainText(
    `compared older → newer (${older.short_id} → ${newer.short_id})`,
  );
  // The footer speaks of the newer snapshot, by name.
  await expect(page.getByTestId('diff-data')).toContainText(`added by the newer snapshot (${newer.short_id})`);
  // The form shows the pair as compared.
  const form = page.getByTestId('compare-form');
  await expect(form.getByLabel('Older snapshot')).toHaveValue(older.id);
  await expect(form.getByLabel('Newer snapshot')).toHaveValue(newer.id);
  // The JSON route compares the same way and says it swapped.
  const api = `/api/datastores/${DS}/repos/${vm}/snapshots`;
  const reversed = (await (await page.request.get(`${api}/${newer.id}/diff/${older.id}`)).json()) as {
    from: { id: string };
    to: { id: string };
    swapped: boolean;
    added: { bytes: number };
    removed: { bytes: number };
  };
  const forward = (await (await page.request.get(`${api}/${older.id}/diff/${newer.id}`)).json()) as typeof reversed;
  expect([reversed.from.id, reversed.to.id, reversed.swapped]).toEqual([older.id, newer.id, true]);
  expect([forward.from.id, forward.to.id, forward.swapped]).toEqual([older.id, newer.id, false]);
  expect(reversed.added).toEqual(forward.added);
  expect(reversed.removed).toEqual(forward.removed);
});

test('a changed vm.xml shows a readable line diff of the decoded XML', async ({ page, sandbox }) => {
  const vm = String(sandbox.seed.vms.web);
  const [older, newer] = snapshots(vm).slice(-2) as [Snap, Snap];
  const before = decodedVmXml(vm, older);
  const after = decodedVmXml(vm, newer);
  // Between two backups oned's record of the VM moved on (its backup IDs at least).
  expect(before).not.toBe(after);
  await page.goto(`/datastores/${DS}/repos/${vm}/snapshots/compare?from=${older.id}&to=${newer.id}`);
  await expect(page.getByTestId('diff-row-vm.xml')).toHaveAttribute('data-change', 'changed');
  const diff = page.getByTestId('vm-xml-diff');
  await expect(diff).toBeVisible();
  const added = await diff.locator('[data-diff="added"]').allTextContents();
  const removed = await diff.locator('[data-diff="removed"]').allTextContents();
  expect(added.length).toBeGreaterThan(0);
  expect(removed.length + added.length).toBeLessThan(100);
  // Readable: one element a line, decoded (no base64), each from the side it is marked with.
  for (const line of added) {
    expect(line.startsWith('+ ')).toBe(true);
    expect(after).toContain(line.slice(2).trim());
  }
  for (const line of removed) {
    expect(line.startsWith('- ')).toBe(true);
    expect(before).toContain(line.slice(2).trim());
  }
  expect(added.map((l) => l.slice(2))).not.toEqual(removed.map((l) => l.slice(2)));
  // Unchanged lines are folded, but a few around each change stay as context.
  await expect(diff.getByTestId('diff-skip').first()).toContainText(/unchanged lines?/);
  await expect(diff.locator('[data-diff="same"]').first()).toBeVisible();
});
