/*
 * Issue 22 §5: a VM owner sees exactly what OpenNebula shows them, counts and sums included. The
 * seed's Backup Job 0 holds alice's ci-runner and bob's app-worker in one repository (job_0); each
 * of them, through the two API routes, must get none of the other's VM names, VM IDs or image IDs,
 * figures computed over their own objects only (ground truth: the CLI run as that person, and
 * restic run by the test on the repository), and a 404 for the other's snapshots.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { APIRequestContext, Browser } from '@playwright/test';
import { test, expect } from './fixtures';
import { serverInfo } from './support/backup-server';
import { loadSandbox } from './sandbox-env';

const DS = 100;
/** The seed's datastore password (sandbox/seed/seed-demo-cloud.ts). */
const RESTIC_PASSWORD = 'sandbox-restic-pw';
const MiB = 1024 * 1024;

// Made in the worker that runs the test (a module-level folder would also be made, and left, by
// the process that only lists the tests).
let scratch = '';
test.beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'backstone-visibility-e2e-'));
});
test.afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// ---------------------------------------------------------------------------------------------
// Ground truth, independent of Backstone

/** The sandbox CLI run as the named account (its own ONE_AUTH), as that person would. */
function oneAs(name: string, command: string, ...args: string[]): string {
  const s = loadSandbox();
  const info = JSON.parse(execFileSync('cat', [join(s.stateDir, 'info.json')], { encoding: 'utf8' })) as {
    frontend: { commandDir: string };
  };
  const oneAuth = s.accounts.find((a) => a.name === name)!.oneAuth;
  return execFileSync(join(info.frontend.commandDir, command), args, {
    encoding: 'utf8',
    env: { ...process.env, ONE_AUTH: oneAuth },
  });
}

const blocks = (xml: string, tag: string) => [...xml.matchAll(new RegExp(`<${tag}>([\\s\\S]*?)</${tag}>`, 'g'))];
const field = (xml: string, tag: string) => new RegExp(`<${tag}>(?:<!\\[CDATA\\[)?([^<\\]]*)`).exec(xml)?.[1];

type SeenImage = { id: number; sizeMb: number; jobId?: number; datastoreId: number };

/** What OpenNebula shows one person: their VMs, backup images and Backup Jobs. */
function seenBy(name: string) {
  const vms = blocks(oneAs(name, 'onevm', 'list', '-x'), 'VM').map(([, b]) => ({
    id: Number(field(b!, 'ID')),
    name: field(b!, 'NAME')!,
  }));
  const images: SeenImage[] = blocks(oneAs(name, 'oneimage', 'list', '-x'), 'IMAGE')
    .map(([, b]) => b!)
    .filter((b) => field(b, 'TYPE') === '6')
    .map((b) => ({
      id: Number(field(b, 'ID')),
      sizeMb: Number(field(b, 'SIZE')),
      datastoreId: Number(field(b, 'DATASTORE_ID')),
      ...(field(b, 'BACKUP_JOB_ID') !== undefined ? { jobId: Number(field(b, 'BACKUP_JOB_ID')) } : {}),
    }))
    .filter((i) => i.datastoreId === DS);
  const jobs = blocks(oneAs(name, 'onebackupjob', 'list', '-x'), 'BACKUPJOB').map(([, b]) => ({
    id: Number(field(b!, 'ID')),
    name: field(b!, 'NAME')!,
  }));
  return { vms, images, jobs };
}

type Snap = { id: string; short_id: string; tags: string[] | null };

/** restic run by the test itself on the repository folder. */
function resticSnapshots(repo: string): Snap[] {
  const s = serverInfo() as ReturnType<typeof serverInfo> & { restic: { path: string } };
  const out = execFileSync(
    s.restic.path,
    ['--no-lock', `--repo=${join(s.datastoresRoot, String(DS), repo)}`, 'snapshots', '--json'],
    {
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: scratch,
        RESTIC_PASSWORD,
        RESTIC_CACHE_DIR: join(scratch, 'restic-cache'),
      } as unknown as NodeJS.ProcessEnv,
      encoding: 'utf8',
    },
  );
  return JSON.parse(out) as Snap[];
}

const ofVm = (s: Snap, vmId: number) => (s.tags ?? []).includes(`one-${vmId}`);

// ---------------------------------------------------------------------------------------------
// Backstone, signed in as each person

async function signedIn(browser: Browser, name: string): Promise<APIRequestContext> {
  const a = loadSandbox().accounts.find((x) => x.name === name)!;
  const context = await browser.newContext({ baseURL: loadSandbox().baseURL });
  const page = await context.newPage();
  await page.goto('/login');
  await page.getByLabel('User name').fill(a.name);
  await page.getByLabel('Password').fill(a.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByTestId('signed-in-user')).toContainText(a.name);
  return context.request;
}

type Row = {
  name: string;
  kind: 'vm' | 'job';
  vmId?: number;
  jobName?: string;
  jobVms?: { id: number; name?: string }[];
  snapshotCount: number;
  logicalBytes: number;
  storedBytes?: number;
  locks?: number;
  imageIds: number[];
  problems: { imageId?: number; snapshotId?: string }[];
  consistency: string;
};
type Overview = {
  repositories: Row[];
  problems: unknown[];
  totals: { repositories: number; snapshots: number; storedBytes?: number; logicalBytes: number };
  pending: number;
};
type Detail = {
  repository: Row;
  snapshots: { id: string; vmId?: number; imageId?: number }[];
  chains: { imageId: number; vmId?: number }[];
};

/** The overview once restic has read every repository the person sees (bounded). */
async function overview(api: APIRequestContext): Promise<{ body: Overview; text: string }> {
  const end = Date.now() + 90_000;
  for (;;) {
    const res = await api.get(`/api/datastores/${DS}/overview`);
    expect(res.status()).toBe(200);
    const text = await res.text();
    const body = JSON.parse(text) as Overview;
    if (body.pending === 0 || Date.now() > end) return { body, text };
    await new Promise((r) => setTimeout(r, 500));
  }
}

const apiSnap = (repo: string, snap: string) => `/api/datastores/${DS}/repos/${repo}/snapshots/${snap}`;

test('two VM owners sharing one Backup Job each see only their own VMs, images, counts and sums', async ({
  browser,
  sandbox,
}) => {
  test.setTimeout(180_000);
  const job = `job_${sandbox.seed.backupJobId}`;
  const owners = [
    { name: 'alice', vm: sandbox.seed.vms.ci, other: { name: 'bob', vm: sandbox.seed.vms.app } },
    { name: 'bob', vm: sandbox.seed.vms.app, other: { name: 'alice', vm: sandbox.seed.vms.ci } },
  ];
  const inJob = resticSnapshots(job);
  for (const { name, vm, other } of owners) {
    const seen = seenBy(name);
    const theirs = seenBy(other.name);
    // The world is what the test expects: both VMs in the job, each seen by its owner only.
    expect(seen.vms.map((v) => v.id)).toContain(vm);
    expect(seen.vms.map((v) => v.id)).not.toContain(other.vm);
    const otherVmName = theirs.vms.find((v) => v.id === other.vm)!.name;
    const myJobImages = seen.images.filter((i) => i.jobId === sandbox.seed.backupJobId);
    const otherImageIds = theirs.images.map((i) => i.id);
    expect(myJobImages.length).toBeGreaterThan(0);
    expect(otherImageIds.length).toBeGreaterThan(0);
    const mySnaps = inJob.filter((s) => ofVm(s, vm));
    const otherSnaps = inJob.filter((s) => ofVm(s, other.vm));
    expect(mySnaps.length).toBeGreaterThan(0);
    expect(otherSnaps.length).toBeGreaterThan(0);

    const api = await signedIn(browser, name);

    // --- GET /api/datastores/100/overview
    const { body: o, text: oText } = await overview(api);
    expect(o.pending).toBe(0);
    expect(oText).not.toContain(otherVmName);
    for (const r of o.repositories) {
      expect(
        r.imageIds.filter((id) => otherImageIds.includes(id)),
        `${name}: ${r.name} imageIds`,
      ).toEqual([]);
      expect(r.vmId, `${name}: ${r.name}`).not.toBe(other.vm);
      for (const p of r.problems) expect(otherImageIds).not.toContain(p.imageId);
    }
    const row = o.repositories.find((r) => r.name === job)!;
    expect(row, `${name} sees ${job}`).toBeDefined();
    expect(row.jobVms).toEqual([{ id: vm, name: seen.vms.find((v) => v.id === vm)!.name }]);
    // The job belongs to oneadmin: OpenNebula does not show it (nor its name) to either owner.
    expect(seen.jobs).toEqual([]);
    expect(row.jobName).toBeUndefined();
    expect(row.imageIds.sort((a, b) => a - b)).toEqual(myJobImages.map((i) => i.id).sort((a, b) => a - b));
    expect(row.snapshotCount).toBe(mySnaps.length);
    expect(row.logicalBytes).toBe(myJobImages.reduce((s, i) => s + i.sizeMb * MiB, 0));
    // What the shared repository takes on disk cannot be split per VM: withheld.
    expect(row.storedBytes).toBeUndefined();
    // Totals are the sums of what the person sees, and of nothing else.
    const myImages = seen.images;
    expect(o.totals.repositories).toBe(o.repositories.length);
    expect(o.totals.snapshots).toBe(o.repositories.reduce((s, r) => s + r.snapshotCount, 0));
    expect(o.totals.logicalBytes).toBe(myImages.reduce((s, i) => s + i.sizeMb * MiB, 0));
    expect(o.totals.storedBytes).toBeUndefined();

    // --- GET /api/datastores/100/repos/job_0
    const res = await api.get(`/api/datastores/${DS}/repos/${job}`);
    expect(res.status()).toBe(200);
    const dText = await res.text();
    const d = JSON.parse(dText) as Detail;
    expect(dText).not.toContain(otherVmName);
    expect(d.repository).toEqual(row);
    expect(d.snapshots.map((s) => s.id).sort()).toEqual(mySnaps.map((s) => s.id).sort());
    expect(d.snapshots.every((s) => s.vmId === vm)).toBe(true);
    expect(d.chains.map((c) => c.imageId).sort((a, b) => a - b)).toEqual(
      myJobImages.map((i) => i.id).sort((a, b) => a - b),
    );
    for (const s of otherSnaps) expect(dText).not.toContain(s.short_id);

    // --- the other owner's snapshot in the shared repository: 404 on every route, and the page
    const mine = mySnaps[0]!.id;
    const foreign = otherSnaps[0]!.id;
    for (const path of [
      apiSnap(job, foreign),
      `${apiSnap(job, foreign)}/files`,
      `${apiSnap(job, foreign)}/vm-xml`,
      `${apiSnap(job, foreign)}/download/vm.xml`,
      `${apiSnap(job, foreign)}/download/disk.0.0`,
      `${apiSnap(job, foreign)}/flattened/0`,
      `${apiSnap(job, foreign)}/diff/${mine}`,
      `${apiSnap(job, mine)}/diff/${foreign}`,
    ]) {
      expect((await api.get(path)).status(), `${name}: ${path}`).toBe(404);
    }
    for (const page of [
      `/datastores/${DS}/repos/${job}/snapshots/${foreign}`,
      `/datastores/${DS}/repos/${job}/snapshots/compare?from=${mine}&to=${foreign}`,
    ])
      expect((await api.get(page)).status(), `${name}: ${page}`).toBe(404);
    expect((await api.get(`${apiSnap(job, mine)}/files`)).status()).toBe(200);
  }
});
