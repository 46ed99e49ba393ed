/*
 * The snapshot explorer (issue 8) on the seeded sandbox: a snapshot's files with sizes, each
 * disk's qcow2 header and place in the chain, vm.xml decoded; a FULL disk downloads byte for byte;
 * a flattened chain equals the chain's last state; the diff shows the seed's change between two
 * backups; aborting a download stops the remote work within 5 s and leaves no temporary files;
 * traversal and unknown IDs in every route parameter are a 404 and run nothing.
 */
import { createHash } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { frontendPaths } from '../sandbox/opennebula/paths';
import { createVm } from '../sandbox/opennebula/ops/create-vm';
import { test, expect, addSession } from './fixtures';
import { accountProcesses, serverInfo, watchResticProcesses } from './support/backup-server';
import { one } from './support/one-cli';
import { loadSandbox } from './sandbox-env';

const DS = 100;
/** The seed's datastore password (sandbox/seed/seed-demo-cloud.ts). */
const RESTIC_PASSWORD = 'sandbox-restic-pw';

type LsNode = { path: string; name: string; type: string; size?: number };
type Snap = { id: string; short_id: string; time: string; paths: string[] };

// Made per worker when its tests start: at module level it would also be made while Playwright lists tests.
let scratch = '';
test.beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'backstone-explorer-'));
});
test.afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** restic run by the test itself on the repository folder (independent of Backstone). */
function restic(repo: string, ...args: string[]): Buffer {
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: scratch,
    RESTIC_PASSWORD,
    RESTIC_CACHE_DIR: join(scratch, 'restic-cache'),
  } as unknown as NodeJS.ProcessEnv;
  return execFileSync(server().restic.path, ['--no-lock', `--repo=${repoPath(repo)}`, ...args], {
    env,
    maxBuffer: 1024 * 1024 * 1024,
  });
}

/** info.json's backup server, with the fields serverInfo() leaves out of its type. */
function server() {
  return serverInfo() as ReturnType<typeof serverInfo> & { root: string; restic: { path: string } };
}

function repoPath(repo: string): string {
  return join(serverInfo().datastoresRoot, String(DS), repo);
}

function snapshots(repo: string): Snap[] {
  return (JSON.parse(restic(repo, 'snapshots', '--json').toString()) as Snap[]).sort((a, b) =>
    a.time.localeCompare(b.time),
  );
}

function lsFiles(repo: string, id: string): LsNode[] {
  return restic(repo, 'ls', '--json', id)
    .toString()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as LsNode & { struct_type?: string; message_type?: string })
    .filter((n) => n.type === 'file');
}

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

/** The VM's disk file on its host (the sandbox system datastore). */
function vmDisk(vmId: number, diskId: number): string {
  return join(server().root, 'var/lib/one/datastores/0', String(vmId), `disk.${diskId}`);
}

function qemuCompare(a: string, b: string): { status: number | null; out: string } {
  const r = spawnSync('qemu-img', ['compare', '-f', 'qcow2', '-F', 'qcow2', a, b], { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

function tempLeftovers(): string[] {
  const dir = join(server().root, 'var/tmp');
  try {
    return readdirSync(dir).filter((f) => f.startsWith('backstone-flatten.'));
  } catch {
    return [];
  }
}

const api = (repo: string, snap: string) => `/api/datastores/${DS}/repos/${repo}/snapshots/${snap}`;

async function poll(check: () => boolean, timeoutMs: number, stepMs = 50): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (check()) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

test.describe('as an admin', () => {
  test.beforeEach(async ({ page }) => {
    await addSession(page, 'admin');
  });

  test('a snapshot shows its files with sizes, each disk header and place in the chain, and vm.xml', async ({
    page,
    sandbox,
  }) => {
    const vm = sandbox.seed.vms.db;
    const snaps = snapshots(String(vm));
    const newest = snaps[snaps.length - 1]!;
    // From the repository's table, the snapshot ID is the way in.
    await page.goto(`/datastores/${DS}/repos/${vm}`);
    // Scoped to the table: while React reveals the streamed rows, a hidden copy of them waits at the
    // end of the document.
    await page.getByTestId('snapshots-table').getByTestId(`snapshot-link-${newest.short_id}`).click();
    await expect(page).toHaveURL(new RegExp(`/snapshots/${newest.id}$`));
    await expect(page.getByTestId('snapshot-id')).toHaveText(newest.id);

    for (const f of lsFiles(String(vm), newest.id)) {
      await expect(page.getByTestId(`file-row-${f.name}`)).toContainText(f.path);
      await expect(page.getByTestId(`file-size-${f.name}`)).toHaveAttribute('data-bytes', String(f.size));
    }
    // db-primary has a 32 MiB and a 16 MiB disk; its newest backup is an increment of a new chain.
    await expect(page.getByTestId('disk-virtual-size-0')).toHaveAttribute('data-bytes', String(32 * 1024 * 1024));
    await expect(page.getByTestId('disk-virtual-size-1')).toHaveAttribute('data-bytes', String(16 * 1024 * 1024));
    await expect(page.getByTestId('disk-format-0')).toContainText('qcow2 v3');
    await expect(page.getByTestId('disk-role-0')).toHaveText('increment');
    await expect(page.getByTestId('chain-place')).toContainText(/FULL 0: [0-9a-f]{8}.*INC 1: /);
    await expect(page.getByTestId('download-flattened-0')).toBeVisible();

    const vmPanel = page.getByTestId('vm-at-backup');
    await expect(vmPanel.getByTestId('vm-name')).toContainText('db-primary');
    await expect(vmPanel.getByTestId('vm-cpu')).toContainText('1');
    await expect(vmPanel.getByTestId('vm-memory')).toHaveText('256 MiB');
    await expect(vmPanel.getByTestId('vm-disks')).toContainText('vdb');
    await expect(vmPanel.getByTestId('vm-nics')).toContainText('10.0.0.11');
    await expect(vmPanel.getByTestId('changed-since')).toBeVisible();
    await vmPanel.getByText('Full XML').click();
    await expect(vmPanel.getByTestId('vm-xml-full')).toContainText('<NAME>db-primary</NAME>');
  });

  test('a FULL backup disk downloads byte for byte, with its length and file name; vm.xml decoded', async ({
    page,
    sandbox,
  }) => {
    const vm = sandbox.seed.vms.web;
    const snaps = snapshots(String(vm));
    const newest = snaps[snaps.length - 1]!;
    const disk = lsFiles(String(vm), newest.id).find((f) => f.name === 'disk.0.0')!;
    const res = await page.request.get(`${api(String(vm), newest.id)}/download/disk.0.0`);
    expect(res.status()).toBe(200);
    // The size from the cached listing, as Content-Length (restored by server.js) and X-Backstone-Size.
    expect(res.headers()['content-length']).toBe(String(disk.size));
    expect(res.headers()['transfer-encoding']).toBeUndefined();
    expect(res.headers()['x-backstone-size']).toBe(String(disk.size));
    expect(res.headers()['content-disposition']).toContain(`filename="vm-${vm}-${newest.short_id}-disk.0.0.qcow2"`);
    const body = await res.body();
    expect(body.length).toBe(disk.size);
    expect(sha256(body)).toBe(sha256(restic(String(vm), 'dump', newest.id, disk.path)));
    // The newest backup is the disk as it is now (no guest writes since): same content.
    const file = join(scratch, 'web-disk.0.0.qcow2');
    writeFileSync(file, body);
    expect(qemuCompare(file, vmDisk(vm, 0))).toEqual({ status: 0, out: expect.stringContaining('identical') });

    const xml = await page.request.get(`${api(String(vm), newest.id)}/vm-xml`);
    expect(xml.status()).toBe(200);
    const vmXmlPath = newest.paths.find((p) => p.endsWith('/vm.xml'))!;
    const decoded = Buffer.from(restic(String(vm), 'dump', newest.id, vmXmlPath).toString(), 'base64');
    expect(await xml.body()).toEqual(decoded);
    expect(xml.headers()['content-length']).toBe(String(decoded.length));
    expect(xml.headers()['x-backstone-size']).toBe(String(decoded.length));
    expect(xml.headers()['content-disposition']).toContain(`filename="vm-${vm}-${newest.short_id}-vm.xml"`);
    expect(decoded.toString().startsWith('<VM>')).toBe(true);
    // vm.xml as stored is base64, and its name says so.
    const stored = await page.request.get(`${api(String(vm), newest.id)}/download/vm.xml`);
    expect(stored.status()).toBe(200);
    expect(stored.headers()['content-disposition']).toContain(`filename="vm-${vm}-${newest.short_id}-vm.xml.b64"`);
    expect(Buffer.from((await stored.body()).toString(), 'base64')).toEqual(decoded);
  });

  test('a flattened chain equals the chain’s last state and leaves no temporary files', async ({ page, sandbox }) => {
    const vm = sandbox.seed.vms.db;
    const snaps = snapshots(String(vm));
    const newest = snaps[snaps.length - 1]!;
    for (const diskId of [0, 1]) {
      const res = await page.request.get(`${api(String(vm), newest.id)}/flattened/${diskId}`, { timeout: 60_000 });
      expect(res.status()).toBe(200);
      const body = await res.body();
      expect(res.headers()['content-length']).toBe(String(body.length));
      const file = join(scratch, `db-flat-${diskId}.qcow2`);
      writeFileSync(file, body);
      // Standalone: no backing file left.
      const info = JSON.parse(execFileSync('qemu-img', ['info', '--output=json', file], { encoding: 'utf8' })) as {
        'backing-filename'?: string;
      };
      expect(info['backing-filename']).toBeUndefined();
      expect(qemuCompare(file, vmDisk(vm, diskId))).toEqual({ status: 0, out: expect.stringContaining('identical') });
    }
    expect(await poll(() => tempLeftovers().length === 0, 5_000)).toBe(true);
  });

  test('the diff shows the change the seed made between two backups', async ({ page, sandbox }) => {
    const vm = sandbox.seed.vms.web;
    const [older, newer] = snapshots(String(vm)).slice(-2) as [Snap, Snap];
    await page.goto(`/datastores/${DS}/repos/${vm}`);
    const form = page.getByTestId('compare-form');
    await form.getByLabel('Older snapshot').selectOption(older.id);
    await form.getByLabel('Newer snapshot').selectOption(newer.id);
    await form.getByRole('button', { name: 'Compare two snapshots' }).click();
    await expect(page).toHaveURL(/\/snapshots\/compare\?from=/);
    // Between two backups the seed wrote 256 KiB into the guest's disk (and oned's record moved on).
    const row = page.getByTestId('diff-row-disk.0.0');
    await expect(row).toHaveAttribute('data-change', 'changed');
    const before = lsFiles(String(vm), older.id).find((f) => f.name === 'disk.0.0')!;
    const after = lsFiles(String(vm), newer.id).find((f) => f.name === 'disk.0.0')!;
    const sizeText = (n: number) => `${(n / 1024 / 1024).toFixed(n / 1024 / 1024 >= 100 ? 0 : 1)} MiB`;
    await expect(page.getByTestId('diff-before-disk.0.0')).toHaveText(sizeText(before.size!));
    await expect(page.getByTestId('diff-after-disk.0.0')).toHaveText(sizeText(after.size!));
    await expect(page.getByTestId('diff-row-vm.xml')).toHaveAttribute('data-change', 'changed');
    // The same as restic itself says.
    const local = restic(String(vm), 'diff', older.id, newer.id).toString();
    expect(local).toMatch(/^M\s+.*\/disk\.0\.0$/m);
    // The data itself differs where the seed wrote: qemu-img finds the first differing offset.
    const a = join(scratch, 'diff-a.qcow2');
    const b = join(scratch, 'diff-b.qcow2');
    writeFileSync(a, restic(String(vm), 'dump', older.id, before.path));
    writeFileSync(b, restic(String(vm), 'dump', newer.id, after.path));
    const cmp = qemuCompare(a, b);
    expect(cmp.status).toBe(1);
    expect(cmp.out).toMatch(/Content mismatch at offset \d+/);
    // The JSON route says the same.
    const json = (await (await page.request.get(`${api(String(vm), older.id)}/diff/${newer.id}`)).json()) as {
      rows: { name: string; change: string; sizeBefore?: number; sizeAfter?: number }[];
    };
    expect(json.rows.find((r) => r.name === 'disk.0.0')).toEqual(
      expect.objectContaining({ change: 'changed', sizeBefore: before.size, sizeAfter: after.size }),
    );
  });

  test('a repository with a stale exclusive lock can still be browsed and downloaded from', async ({
    page,
    sandbox,
  }) => {
    const legacy = String(sandbox.seed.vms.legacy);
    const newest = snapshots(legacy).at(-1)!;
    await page.goto(`/datastores/${DS}/repos/${legacy}/snapshots/${newest.id}`);
    await expect(page.getByTestId('disk-format-0')).toContainText('qcow2 v3');
    await expect(page.getByTestId('vm-name')).toContainText('legacy-erp');
    const res = await page.request.get(`${api(legacy, newest.id)}/download/disk.0.0`);
    expect(res.status()).toBe(200);
    expect(sha256(await res.body())).toBe(
      sha256(
        restic(
          legacy,
          'dump',
          newest.id,
          newest.paths.find((p) => p.endsWith('/disk.0.0'))!,
        ),
      ),
    );
  });

  test('traversal and unknown IDs in every route parameter are a 404 and run nothing', async ({ page, sandbox }) => {
    const vm = String(sandbox.seed.vms.db);
    const snaps = snapshots(vm);
    const snap = snaps[snaps.length - 1]!.id;
    const other = snaps[0]!.id;
    // Warm the caches the way a visit does, so any restic started below would be the bad request's.
    await page.goto(`/datastores/${DS}/repos/${vm}/snapshots/${snap}`);
    await expect(page.getByTestId('disk-format-0')).toBeVisible();
    expect((await page.request.get(`${api(vm, snap)}/files`)).status()).toBe(200);
    const foreign = snapshots(String(sandbox.seed.vms.web))[0]!.id;
    const watch = watchResticProcesses();
    const bad = [
      `/api/datastores/x/repos/${vm}/snapshots/${snap}`,
      `/api/datastores/9999/repos/${vm}/snapshots/${snap}/files`,
      `/api/datastores/${DS}/repos/..%2F${vm}/snapshots/${snap}/files`,
      `/api/datastores/${DS}/repos/999/snapshots/${snap}/files`,
      `${api(vm, 'zzzzzzzz')}/files`,
      `${api(vm, 'deadbeef')}/files`,
      `${api(vm, 'deadbeef')}/download/disk.0.0`,
      // A snapshot of another repository is not this repository's.
      `${api(vm, foreign)}/files`,
      `${api(vm, snap)}/download/..%2F..%2F..%2Fetc%2Fpasswd`,
      `${api(vm, snap)}/download/${encodeURIComponent('/etc/passwd')}`,
      `${api(vm, snap)}/download/.ssh`,
      `${api(vm, snap)}/download/disk.9.9`,
      `${api(vm, snap)}/flattened/x`,
      `${api(vm, snap)}/flattened/7`,
      `${api(vm, snap)}/flattened/..%2F0`,
      `${api(vm, snap)}/diff/zzzz`,
      `${api(vm, snap)}/diff/deadbeefdeadbeef`,
      `${api(vm, snap)}/diff/${foreign}`,
      `${api('deadbeef', snap)}/vm-xml`,
    ];
    for (const path of bad) expect((await page.request.get(path)).status(), path).toBe(404);
    for (const path of [
      `/datastores/${DS}/repos/${vm}/snapshots/deadbeef`,
      `/datastores/${DS}/repos/${vm}/snapshots/..%2F..`,
      `/datastores/${DS}/repos/${vm}/snapshots/${foreign}`,
      `/datastores/${DS}/repos/${vm}/snapshots/compare?from=${snap}&to=deadbeef`,
      `/datastores/${DS}/repos/${vm}/snapshots/compare?from=${snap}`,
    ])
      expect((await page.goto(path))?.status(), path).toBe(404);
    expect(watch.stop()).toEqual([]);
    // A valid pair still works.
    expect(
      (await page.goto(`/datastores/${DS}/repos/${vm}/snapshots/compare?from=${other}&to=${snap}`))?.status(),
    ).toBe(200);
  });
});

// ---------------------------------------------------------------------------------------------
// Aborting downloads: a VM with a 320 MiB disk (far more than every buffer on the way), backed up
// twice as an increment chain, created once per state folder.

const BIG_VM = 'explorer-big';

async function bigVm(): Promise<{ id: number; snaps: Snap[] }> {
  const vms = one('onevm', 'list', '-x');
  const found = new RegExp(`<ID>(\\d+)</ID>(?:(?!</VM>)[\\s\\S])*?<NAME>${BIG_VM}</NAME>`).exec(vms);
  let id: number;
  if (found) id = Number(found[1]);
  else {
    id = await createVm(frontendPaths(loadSandbox().stateDir), {
      name: BIG_VM,
      uid: 0,
      disksMb: [320],
      backupConfig: { MODE: 'INCREMENT', INCREMENT_MODE: 'SNAPSHOT' },
    });
    execFileSync('qemu-io', ['-f', 'qcow2', '-c', 'write -P 171 0 300M', vmDisk(id, 0)]);
  }
  const count = () => {
    try {
      return readdirSync(join(repoPath(String(id)), 'snapshots')).length;
    } catch {
      return 0;
    }
  };
  const idle = () => !/<LCM_STATE>(69|70)<\/LCM_STATE>/.test(one('onevm', 'show', '-x', String(id)));
  while (count() < 2) {
    const before = count();
    if (!(await poll(idle, 120_000, 250))) throw new Error('the big VM stays in BACKUP');
    one('onevm', 'backup', String(id), '-d', String(DS));
    if (!(await poll(() => count() > before && idle(), 180_000, 250))) throw new Error('the backup did not finish');
  }
  return { id, snaps: snapshots(String(id)) };
}

/** Starts a download outside the browser, reads its first bytes, and stops reading. */
async function startDownload(page: Page, path: string): Promise<{ res: IncomingMessage; abort: () => void }> {
  const cookies = await page.context().cookies();
  const url = new URL(path, loadSandbox().baseURL);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { headers: { cookie: cookies.map((c) => `${c.name}=${c.value}`).join('; ') } },
      (res) => {
        if (res.statusCode !== 200) return reject(new Error(`status ${res.statusCode}`));
        res.once('data', () => {
          res.pause();
          resolve({ res, abort: () => req.destroy() });
        });
      },
    );
    req.on('error', () => undefined);
    req.end();
  });
}

test('aborting a download stops the remote work within 5 seconds and leaves no temporary files', async ({ page }) => {
  test.setTimeout(300_000);
  await addSession(page, 'admin');
  const { id, snaps } = await bigVm();
  const [first, second] = snaps as [Snap, Snap];
  const state = loadSandbox().stateDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const remote = (what: string) => accountProcesses(new RegExp(`${what}.*${state}|${state}.*${what}`));

  // 1. The chain's first disk as stored: `restic dump` runs while the reader stalls.
  const dump = await startDownload(page, `${api(String(id), first.id)}/download/disk.0.0`);
  expect(Number(dump.res.headers['content-length'])).toBeGreaterThan(300 * 1024 * 1024);
  expect(remote('restic.* dump ')).not.toEqual([]);
  // Backpressure: with nobody reading, restic is still at work a moment later.
  expect(await poll(() => remote('restic.* dump ').length === 0, 1_000)).toBe(false);
  let t = Date.now();
  dump.abort();
  expect(await poll(() => remote('restic.* dump ').length === 0, 5_000)).toBe(true);
  expect(Date.now() - t).toBeLessThan(5_000);

  // 2. The flattened chain: restored, merged, then streamed with `cat`; abandoned mid-way.
  const flat = await startDownload(page, `${api(String(id), second.id)}/flattened/0`);
  expect(tempLeftovers()).toHaveLength(1);
  expect(remote('cat -- ')).not.toEqual([]);
  t = Date.now();
  flat.abort();
  expect(
    await poll(
      () => remote('cat -- ').length === 0 && remote('restic ').length === 0 && tempLeftovers().length === 0,
      5_000,
    ),
  ).toBe(true);
  expect(Date.now() - t).toBeLessThan(5_000);
});

test('a download over the per-user limit answers 429 with Retry-After; stalled ones end when closed', async ({
  page,
}) => {
  test.setTimeout(300_000);
  await addSession(page, 'admin');
  const { id, snaps } = await bigVm();
  const first = snaps[0]!;
  const state = loadSandbox().stateDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const dumps = () => accountProcesses(new RegExp(`restic.* dump .*${state}|${state}.*restic.* dump `));
  const path = `${api(String(id), first.id)}/download/disk.0.0`;
  // Two stalled downloads: the most one person gets at once (the default limit).
  const held = [await startDownload(page, path), await startDownload(page, path)];
  const refused = await page.request.get(path);
  expect(refused.status()).toBe(429);
  expect(Number(refused.headers()['retry-after'])).toBeGreaterThan(0);
  expect(Object.keys((await refused.json()) as object)).toEqual(['error']);
  expect(dumps()).toHaveLength(2);
  // Meanwhile the snapshot page answers.
  const t0 = Date.now();
  expect((await page.request.get(`${api(String(id), first.id)}/files`)).status()).toBe(200);
  expect(Date.now() - t0).toBeLessThan(2_000);
  for (const h of held) h.abort();
  expect(await poll(() => dumps().length === 0, 5_000)).toBe(true);
  // The slots are free again.
  const again = await startDownload(page, path);
  again.abort();
  expect(await poll(() => dumps().length === 0, 5_000)).toBe(true);
});

test('an ordinary user opens only the snapshots of their own VMs', async ({ page, sandbox }) => {
  await addSession(page, 'user');
  const mine = snapshots(String(sandbox.seed.vms.db)).at(-1)!;
  const theirs = snapshots(String(sandbox.seed.vms.web)).at(-1)!;
  expect((await page.goto(`/datastores/${DS}/repos/${sandbox.seed.vms.db}/snapshots/${mine.id}`))?.status()).toBe(200);
  await expect(page.getByTestId('files')).toBeVisible();
  expect((await page.goto(`/datastores/${DS}/repos/${sandbox.seed.vms.web}/snapshots/${theirs.id}`))?.status()).toBe(
    404,
  );
  expect((await page.request.get(`${api(String(sandbox.seed.vms.web), theirs.id)}/download/disk.0.0`)).status()).toBe(
    404,
  );
  // In the Backup Job's repository, another owner's VM's snapshot is hidden from her.
  const job = `job_${sandbox.seed.backupJobId}`;
  const appSnap = snapshots(job).find((s) => s.paths.some((p) => p.includes(`/${sandbox.seed.vms.app}/backup/`)))!;
  expect((await page.request.get(`${api(job, appSnap.id)}/files`)).status()).toBe(404);
});
