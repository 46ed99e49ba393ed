// lib/opennebula against the sandbox front-end (one seeded demo cloud, shared by every check), through
// the real process boundary (lib/exec): every verb, locally and over SSH. While this file runs, no
// password or token may appear in any process's command line on this machine, nor in a log line.
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readInfo } from '@/sandbox/common/info';
import { sandboxPaths } from '@/sandbox/common/state';
import { startFrontend, type FrontendInfo } from '@/sandbox/opennebula/frontend';
import { seedDemoCloud, type SeedReport } from '@/sandbox/seed/seed-demo-cloud';
import { stopSandbox } from '@/sandbox/status';
import type { BackupServerInfo } from '@/sandbox/common/info';
import { resetConfigCache } from '@/lib/config';
import { closeSshConnections } from '@/lib/exec';
import * as one from './index';
import { watchCommandLines, type ArgvWatch } from '@/scripts/test-support/argv-watch';

const SERVICE: one.OneCredential = { kind: 'service' };
const ALICE: one.OneCredential = { kind: 'user', username: 'alice', secret: 'sandbox-alice' };
const ONEADMIN: one.OneCredential = { kind: 'user', username: 'oneadmin', secret: 'sandbox-oneadmin' };
let stateDir: string | undefined;
const SEED_RESTIC_PASSWORD = 'sandbox-restic-pw';
const HOSTILE_RESTIC_PASSWORD = `pw "q" 'x' \\ $(touch /tmp/pwned-one) \`id\` ${'p'.repeat(40)}`;

// --- the secret watch: every process's command line, sampled all along ----------------------
// The demo accounts' passwords are the same in every sandbox on this machine, and other people's
// tools may pass them around; for those, only processes of this file count: its descendants and
// anything running this sandbox's files (the CLI over SSH, the sandbox's workers). Secrets made here
// (tokens, the hostile restic password) count wherever they appear.
const DEMO_PASSWORDS = ['sandbox-alice', 'sandbox-oneadmin', SEED_RESTIC_PASSWORD];
const secrets = new Set([...DEMO_PASSWORDS, HOSTILE_RESTIC_PASSWORD]);
const logLines: string[] = [];
let watch: ArgvWatch | undefined;
function isOurs(pid: string, cmd: string): boolean {
  if (stateDir && cmd.includes(stateDir)) return true;
  for (let p = pid, hops = 0; p !== '0' && p !== '1' && hops < 64; hops++) {
    if (p === String(process.pid)) return true;
    const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
    p = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1] ?? '0';
  }
  return false;
}
/** Polls an async check until it holds or the bound passes (no fixed sleeps). */
async function until(check: () => Promise<boolean>, ms: number, stepMs = 100): Promise<boolean> {
  const end = Date.now() + ms;
  for (;;) {
    if (await check()) return true;
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

async function gone(read: () => Promise<unknown>): Promise<boolean> {
  try {
    await read();
    return false;
  } catch (err) {
    if (err instanceof one.OneNotFound) return true;
    throw err;
  }
}

let info: FrontendInfo;
let server: BackupServerInfo;
let seed: SeedReport;

function useFrontend(mode: 'local' | 'ssh') {
  process.env.BACKSTONE_ONE_CLI_DIR = info.commandDir;
  process.env.BACKSTONE_ONE_AUTH = info.accounts.find((a) => a.name === 'oneadmin')!.oneAuth;
  process.env.BACKSTONE_SSH_CONFIG = server.sshConfig;
  process.env.BACKSTONE_SSH_IDENTITY = server.identity;
  process.env.BACKSTONE_SSH_KNOWN_HOSTS = server.knownHosts;
  process.env.BACKSTONE_REMOTE_ROOT = server.root;
  if (mode === 'ssh') process.env.BACKSTONE_ONE_SSH_HOST = server.name;
  else delete process.env.BACKSTONE_ONE_SSH_HOST;
  resetConfigCache();
}

beforeAll(async () => {
  watch = watchCommandLines((pid, cmd) =>
    [...secrets].some((s) => cmd.includes(s) && (!DEMO_PASSWORDS.includes(s) || isOurs(pid, cmd))),
  );
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    vi.spyOn(stream, 'write').mockImplementation(((chunk: string | Uint8Array, ...rest: unknown[]) => {
      logLines.push(String(chunk));
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write);
  }
  stateDir = mkdtempSync(join(tmpdir(), 'one-int-'));
  // The backup account (sshd, drivers) must be able to reach its files inside.
  chmodSync(stateDir, 0o755);
  info = await startFrontend(stateDir);
  seed = (await seedDemoCloud(stateDir))!;
  server = readInfo(sandboxPaths(stateDir)).backupServer!;
  useFrontend('local');
}, 170_000);

afterAll(async () => {
  const watched = watch?.stop();
  vi.restoreAllMocks();
  await closeSshConnections();
  if (stateDir) {
    await stopSandbox(stateDir);
    rmSync(stateDir, { recursive: true, force: true });
  }
  for (const k of ['CLI_DIR', 'AUTH', 'SSH_HOST', 'SSH_CONFIG', 'SSH_IDENTITY', 'SSH_KNOWN_HOSTS', 'REMOTE_ROOT']) {
    delete process.env[k === 'CLI_DIR' || k === 'AUTH' || k === 'SSH_HOST' ? `BACKSTONE_ONE_${k}` : `BACKSTONE_${k}`];
  }
  resetConfigCache();
  expect(watched?.samples).toBeGreaterThan(1000); // sampled all along (about 50 times a second)
  expect(watched?.leaks).toEqual([]);
  expect(logLines.filter((l) => [...secrets].some((s) => l.includes(s)))).toEqual([]);
});

describe('datastores', () => {
  it('lists and shows them, the password kept out of the template', async () => {
    const all = await one.listDatastores(SERVICE);
    expect(all.map((d) => d.id)).toEqual(expect.arrayContaining([0, 1, 2, seed.datastoreId]));
    const rb = all.find((d) => d.id === seed.datastoreId)!;
    expect(rb).toMatchObject({
      name: 'RBackups',
      type: 'BACKUP_DS',
      dsMad: 'restic',
      tmMad: '-',
      state: 'READY',
      clusterIds: [0],
    });
    expect(rb.secretAttributeNames).toEqual(['RESTIC_PASSWORD']);
    expect(rb.template).not.toHaveProperty('RESTIC_PASSWORD');
    expect(rb.template).toMatchObject({
      RESTIC_SFTP_SERVER: server.name,
      RESTIC_CONNECTIONS: '5',
      SAFE_DIRS: '/var/tmp',
    });
    expect(rb.basePath).toMatch(/\/\/datastores\/100$/);
    const shown = await one.getDatastore(SERVICE, seed.datastoreId);
    expect(shown).toEqual(rb);
    // Users may USE every datastore (OpenNebula's default ACL).
    expect((await one.listDatastores(ALICE)).map((d) => d.id)).toContain(seed.datastoreId);
  });

  it('reveals the restic password to the service (oneadmin) only', async () => {
    const dec = await one.getDatastoreDecrypted(SERVICE, seed.datastoreId);
    expect(dec.resticPassword).toBe(SEED_RESTIC_PASSWORD);
    expect(dec.template).not.toHaveProperty('RESTIC_PASSWORD');
    expect((await one.getDatastoreDecrypted(ONEADMIN, seed.datastoreId)).resticPassword).toBe(SEED_RESTIC_PASSWORD);
    const asAlice = await one.getDatastoreDecrypted(ALICE, seed.datastoreId);
    expect(asAlice.resticPassword).toBeDefined();
    expect(asAlice.resticPassword).not.toBe(SEED_RESTIC_PASSWORD);
    expect(JSON.stringify(asAlice)).not.toContain(SEED_RESTIC_PASSWORD);
  });

  it('creates from a template with hostile values, reads them back exactly, and deletes', async () => {
    const hostile = {
      NOTE: `it's "q" \\ back\\slash $(touch /tmp/pwned-one) \`id\` ; rm -rf / #\nline2\n\tline3 ${'x'.repeat(5000)}`,
      QUOTES: '""\'\'"',
      DOLLAR: '$HOME ${PATH} $(id)',
      UNICODE: 'café ☃ 𝄞',
    };
    const name = `it-hostile ${Date.now()} ✓ (€)`;
    const template: one.TemplateAttribute[] = [
      { name: 'NAME', value: name },
      { name: 'TYPE', value: 'BACKUP_DS' },
      { name: 'DS_MAD', value: 'restic' },
      { name: 'TM_MAD', value: '-' },
      { name: 'RESTIC_PASSWORD', value: HOSTILE_RESTIC_PASSWORD },
      { name: 'RESTIC_SFTP_SERVER', value: server.name },
      { name: 'RESTIC_SFTP_USER', value: server.account },
      ...Object.entries(hostile).map(([name, value]) => ({ name, value })),
      {
        name: 'LABELS',
        vector: [
          { name: 'A', value: 'a "b" \\ c' },
          { name: 'B', value: '$(x)' },
        ],
      },
    ];
    const id = await one.createDatastore(SERVICE, template);
    try {
      const ds = await one.getDatastore(SERVICE, id);
      expect(ds.name).toBe(name);
      expect(ds).toMatchObject({ type: 'BACKUP_DS', dsMad: 'restic', tmMad: '-', clusterIds: [0] });
      for (const [k, v] of Object.entries(hostile)) expect(ds.template[k], k).toBe(v);
      expect(ds.templateVectors.LABELS).toEqual([{ A: 'a "b" \\ c', B: '$(x)' }]);
      expect(ds.secretAttributeNames).toEqual(['RESTIC_PASSWORD']);
      expect((await one.getDatastoreDecrypted(SERVICE, id)).resticPassword).toBe(HOSTILE_RESTIC_PASSWORD);
    } finally {
      await one.deleteDatastore(SERVICE, id);
    }
    await expect(one.getDatastore(SERVICE, id)).rejects.toBeInstanceOf(one.OneNotFound);
  });

  it('creates in a cluster given with -c, refuses a missing cluster and a user', async () => {
    const tpl = `NAME = "it-cluster-${Date.now()}"\nTYPE = "IMAGE_DS"\nDS_MAD = "fs"\nTM_MAD = "ssh"\n`;
    const id = await one.createDatastore(SERVICE, tpl, 0);
    expect((await one.getDatastore(SERVICE, id)).clusterIds).toEqual([0]);
    expect((await one.listClusters(SERVICE)).find((c) => c.id === 0)!.datastoreIds).toContain(id);
    await one.deleteDatastore(SERVICE, id);
    expect(await gone(() => one.getDatastore(SERVICE, id))).toBe(true);
    await expect(one.createDatastore(SERVICE, tpl, 99)).rejects.toMatchObject({ name: 'OneNotFound', objectId: 99 });
    await expect(one.createDatastore(ALICE, tpl)).rejects.toBeInstanceOf(one.OneNotAuthorized);
  });
});

describe('backup images', () => {
  it('lists images and backup images with their increments', async () => {
    const all = await one.listImages(SERVICE);
    const backups = await one.listBackupImages(SERVICE, seed.datastoreId);
    expect(backups.length).toBeGreaterThan(0);
    expect(backups.every((i) => i.type === 'BACKUP' && i.datastoreId === seed.datastoreId)).toBe(true);
    expect(all.filter((i) => i.type === 'BACKUP').map((i) => i.id)).toEqual(backups.map((i) => i.id));
    expect(await one.listBackupImages(SERVICE, 1)).toEqual([]);
    // db-primary: an INCREMENT chain (flattened, then reset into a new chain).
    const db = backups.filter((i) => i.vmIds.includes(seed.vms.db));
    expect(db.length).toBeGreaterThanOrEqual(2);
    const chain = db.find((i) => i.increments.length > 1)!;
    expect(chain.increments[0]).toMatchObject({ type: 'FULL', parentId: null });
    for (const [k, inc] of chain.increments.entries()) {
      if (k > 0) expect(inc).toMatchObject({ type: 'INCREMENT', parentId: chain.increments[k - 1]!.id });
      expect(inc.source).toMatch(/^[0-9a-f]{8}$/);
    }
    expect(chain.backupDiskIds).toEqual([0, 1]);
    // The Backup Job's images name it.
    expect(backups.filter((i) => i.backupJobId === seed.backupJobId).length).toBeGreaterThan(0);
    // alice sees her own backups only.
    const mine = await one.listBackupImages(ALICE);
    expect(mine.length).toBeGreaterThan(0);
    expect(mine.every((i) => i.uid === 2)).toBe(true);
  });

  it('shows one image', async () => {
    const [first] = await one.listBackupImages(SERVICE, seed.datastoreId);
    const img = await one.getImage(SERVICE, first!.id);
    expect(img).toEqual(first);
    expect(img.state).toBe('READY');
  });

  it('restores a FULL backup with its options and the images become READY', async () => {
    const web = (await one.listBackupImages(SERVICE, seed.datastoreId))
      .filter((i) => i.vmIds.includes(seed.vms.web))
      .sort((a, b) => b.id - a.id)[0]!;
    const name = `it-restore-${Date.now()}`;
    const r = await one.restoreImage(SERVICE, { imageId: web.id, datastoreId: 1, noNic: true, noIp: true, name });
    expect(r.templateId).toBeGreaterThanOrEqual(0);
    expect(r.imageIds.length).toBe(1);
    expect(
      await until(
        async () =>
          (await Promise.all(r.imageIds.map((i) => one.getImage(SERVICE, i)))).every((i) => i.state === 'READY'),
        90_000,
      ),
    ).toBe(true);
    const img = await one.getImage(SERVICE, r.imageIds[0]!);
    expect(img).toMatchObject({ datastoreId: 1, type: 'OS', uid: 0 });
    expect(img.name).toContain(name);
    for (const id of r.imageIds) await one.deleteImage(SERVICE, id);
    expect(
      await until(
        async () => (await Promise.all(r.imageIds.map((i) => gone(() => one.getImage(SERVICE, i))))).every(Boolean),
        30_000,
      ),
    ).toBe(true);
  });

  it('restores one disk up to an increment, as its owner', async () => {
    const chain = (await one.listBackupImages(ALICE, seed.datastoreId)).find(
      (i) => i.vmIds.includes(seed.vms.db) && i.increments.length > 1,
    )!;
    const r = await one.restoreImage(ALICE, {
      imageId: chain.id,
      datastoreId: 1,
      incrementId: chain.increments[0]!.id,
      diskId: 1,
    });
    expect(r.templateId).toBeUndefined();
    expect(r.imageIds.length).toBe(1);
    expect(await until(async () => (await one.getImage(ALICE, r.imageIds[0]!)).state === 'READY', 90_000)).toBe(true);
    expect(await one.getImage(ALICE, r.imageIds[0]!)).toMatchObject({ uid: 2, datastoreId: 1 });
    await one.deleteImage(ALICE, r.imageIds[0]!);
    expect(await until(() => gone(() => one.getImage(ALICE, r.imageIds[0]!)), 30_000)).toBe(true);
  });

  it('refuses a restore name that would change the restore template', async () => {
    await expect(one.restoreImage(SERVICE, { imageId: 0, datastoreId: 1, name: 'a"b' })).rejects.toBeInstanceOf(
      RangeError,
    );
  });

  it('deletes a backup image (oned forgets its snapshots)', async () => {
    // web-frontend's oldest backup (its repository has no stale lock, unlike legacy-erp's).
    const victim = (await one.listBackupImages(SERVICE, seed.datastoreId))
      .filter((i) => i.vmIds.includes(seed.vms.web))
      .sort((a, b) => a.id - b.id)[0]!;
    await one.deleteImage(SERVICE, victim.id);
    // oned answers at once and the driver forgets and prunes in the background (state DELETE).
    expect(await until(() => gone(() => one.getImage(SERVICE, victim.id)), 60_000)).toBe(true);
    expect((await one.getVm(SERVICE, seed.vms.web)).backups.backupIds).not.toContain(victim.id);
  });
});

describe('VMs, backup jobs, clusters, hosts', () => {
  it('lists and shows VMs with their backup configuration', async () => {
    const vms = await one.listVms(SERVICE);
    expect(vms.map((v) => v.id).sort()).toEqual(Object.values(seed.vms).sort());
    const web = await one.getVm(SERVICE, seed.vms.web);
    expect(web).toMatchObject({ name: 'web-frontend', uid: 0, backingUp: false });
    expect(web.backups.config).toMatchObject({ mode: 'FULL', keepLast: 2 });
    // oned erases the LAST_* fields when a backup ends: an idle VM has none.
    expect(web.backups.config.lastDatastoreId).toBeUndefined();
    expect(web.backups.backupIds.length).toBeGreaterThan(0);
    expect(web.disks.length).toBe(1);
    const db = await one.getVm(ALICE, seed.vms.db);
    expect(db.backups.config).toMatchObject({ mode: 'INCREMENT', keepLast: 3, incrementMode: 'SNAPSHOT' });
    expect(db.backups.config.incrementalBackupId).toBeGreaterThanOrEqual(0);
    expect(db.backups.config.lastIncrementId).toBeGreaterThan(0);
    expect(db.disks.map((d) => d.diskId)).toEqual([0, 1]);
    const app = vms.find((v) => v.id === seed.vms.app)!;
    expect(app.backups.config.backupJobId).toBe(seed.backupJobId);
    // alice sees her own VMs only.
    expect((await one.listVms(ALICE)).map((v) => v.id).sort()).toEqual([seed.vms.db, seed.vms.ci].sort());
  });

  it('lists and shows backup jobs', async () => {
    const jobs = await one.listBackupJobs(SERVICE);
    expect(jobs.map((j) => j.id)).toEqual([seed.backupJobId]);
    const job = await one.getBackupJob(SERVICE, seed.backupJobId);
    // As oned: `show` carries the job's SCHED_ACTION elements, `list` does not; the rest is the same.
    const { SCHED_ACTION: scheduled, ...otherVectors } = job.templateVectors;
    expect(scheduled).toHaveLength(1);
    expect(jobs[0]!.templateVectors.SCHED_ACTION).toBeUndefined();
    expect(job.schedActions).toHaveLength(1);
    expect(jobs[0]!.schedActions).toEqual([]);
    expect({ ...job, templateVectors: otherVectors, schedActions: [] }).toEqual(jobs[0]);
    expect(job).toMatchObject({
      name: 'nightly',
      vmIds: [seed.vms.app, seed.vms.ci],
      keepLast: 3,
      mode: 'FULL',
      datastoreId: seed.datastoreId,
      fsFreeze: 'NONE',
      backingUpVms: [],
    });
    expect(job.lastBackupTime).toBeGreaterThan(0);
  });

  it('lists clusters and hosts', async () => {
    const clusters = await one.listClusters(SERVICE);
    expect(clusters.map((c) => [c.id, c.name])).toEqual([[0, 'default']]);
    expect(clusters[0]!.datastoreIds).toEqual(expect.arrayContaining([0, 1, 2, seed.datastoreId]));
    const hosts = await one.listHosts(SERVICE);
    expect(hosts.map((h) => h.name)).toEqual(info.hypervisors);
    expect(hosts.every((h) => h.state === 'MONITORED' && h.clusterId === 0 && h.vmMad === 'kvm')).toBe(true);
    expect(clusters[0]!.hostIds).toEqual(hosts.map((h) => h.id));
  });
});

describe('credentials and errors', () => {
  it('checks a user with a password and with a login token', async () => {
    expect(await one.whoami(SERVICE)).toMatchObject({ id: 0, name: 'oneadmin', isAdmin: true, enabled: true });
    expect(await one.whoami(ALICE)).toMatchObject({ id: 2, name: 'alice', isAdmin: false, gname: 'users' });
    const t = await one.createLoginToken(ALICE, 600);
    secrets.add(t.token);
    expect(t).toMatchObject({ username: 'alice', expiresInSeconds: 600 });
    expect(await one.whoami({ kind: 'user', username: 'alice', secret: t.token })).toMatchObject({
      id: 2,
      name: 'alice',
    });
    // The service's own ONE_AUTH file is not rewritten by token-create.
    const svc = await one.createLoginToken(SERVICE, 60);
    secrets.add(svc.token);
    expect(svc.username).toBe('oneadmin');
    expect(readFileSync(process.env.BACKSTONE_ONE_AUTH!, 'utf8').trim()).toBe('oneadmin:sandbox-oneadmin');
    expect(await one.getUser(SERVICE, 2)).toMatchObject({ name: 'alice' });
  });

  it('maps a wrong password, a refusal and a missing object to typed errors', async () => {
    const wrong = { kind: 'user', username: 'alice', secret: 'not-her-password' } as const;
    secrets.add(wrong.secret);
    const err = await one.whoami(wrong).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(one.OneAuthenticationFailed);
    expect(String((err as Error).message)).not.toContain(wrong.secret);
    await expect(one.listVms({ kind: 'user', username: 'nobody', secret: 'x-y-z' })).rejects.toBeInstanceOf(
      one.OneAuthenticationFailed,
    );
    await expect(one.getVm(ALICE, seed.vms.web)).rejects.toBeInstanceOf(one.OneNotAuthorized);
    await expect(one.getVm(ALICE, seed.vms.web)).rejects.toThrow(`Not authorized to perform USE VM [${seed.vms.web}]`);
    await expect(one.getImage(SERVICE, 9999)).rejects.toMatchObject({ name: 'OneNotFound', objectId: 9999 });
    await expect(one.getVm(SERVICE, 9999)).rejects.toBeInstanceOf(one.OneNotFound);
    await expect(one.getDatastore(SERVICE, 9999)).rejects.toBeInstanceOf(one.OneNotFound);
    await expect(one.getBackupJob(SERVICE, 9999)).rejects.toBeInstanceOf(one.OneNotFound);
    await expect(one.deleteImage(SERVICE, 9999)).rejects.toBeInstanceOf(one.OneNotFound);
  });
});

describe('over SSH to the front-end', () => {
  /** Private temp folders lib/exec leaves on the target (the sandbox's target is this machine). */
  function leftovers(): string[] {
    return readdirSync('/tmp')
      .filter((e) => e.startsWith('backstone-'))
      .map((e) => join('/tmp', e))
      .filter((p) => {
        try {
          const st = statSync(p);
          if (!st.isDirectory() || st.uid !== server.uid) return false;
          return readdirSync(p).some((f) => {
            const text = readFileSync(join(p, f), 'utf8');
            return f === 'one_auth' || [...secrets].some((s) => text.includes(s));
          });
        } catch {
          return false;
        }
      });
  }

  beforeAll(() => useFrontend('ssh'));
  afterAll(() => useFrontend('local'));

  it('runs the read verbs as the SSH account', async () => {
    const before = leftovers();
    expect((await one.listDatastores(SERVICE)).map((d) => d.id)).toContain(seed.datastoreId);
    expect((await one.getDatastore(ALICE, seed.datastoreId)).name).toBe('RBackups');
    expect((await one.listBackupImages(SERVICE, seed.datastoreId)).length).toBeGreaterThan(0);
    expect((await one.getVm(SERVICE, seed.vms.web)).backups.config.mode).toBe('FULL');
    expect((await one.listVms(ALICE)).map((v) => v.uid)).toEqual([2, 2]);
    expect((await one.listBackupJobs(SERVICE)).length).toBe(1);
    expect((await one.listClusters(SERVICE)).length).toBe(1);
    expect((await one.listHosts(SERVICE)).length).toBe(2);
    expect(await one.whoami(ALICE)).toMatchObject({ name: 'alice' });
    await expect(one.whoami({ kind: 'user', username: 'alice', secret: 'not-her-password' })).rejects.toBeInstanceOf(
      one.OneAuthenticationFailed,
    );
    await expect(one.getVm(ALICE, seed.vms.web)).rejects.toBeInstanceOf(one.OneNotAuthorized);
    await expect(one.getImage(SERVICE, 9999)).rejects.toBeInstanceOf(one.OneNotFound);
    expect(leftovers()).toEqual(before);
  });

  it('runs the verbs that need oned to write or decrypt', async () => {
    expect((await one.getDatastoreDecrypted(SERVICE, seed.datastoreId)).resticPassword).toBe(SEED_RESTIC_PASSWORD);
    const t = await one.createLoginToken(ALICE, 600);
    secrets.add(t.token);
    expect(await one.whoami({ kind: 'user', username: 'alice', secret: t.token })).toMatchObject({ name: 'alice' });
    const id = await one.createDatastore(SERVICE, [
      { name: 'NAME', value: `it-ssh-${Date.now()}` },
      { name: 'TYPE', value: 'IMAGE_DS' },
      { name: 'DS_MAD', value: 'fs' },
      { name: 'TM_MAD', value: 'ssh' },
      { name: 'NOTE', value: `"q" \\ $(id)\nnext` },
    ]);
    expect((await one.getDatastore(SERVICE, id)).template.NOTE).toBe(`"q" \\ $(id)\nnext`);
    await one.deleteDatastore(SERVICE, id);
    expect(await gone(() => one.getDatastore(SERVICE, id))).toBe(true);
    expect(leftovers()).toEqual([]);
  });

  it('restores and deletes images', async () => {
    const backups = await one.listBackupImages(SERVICE, seed.datastoreId);
    const web = backups.filter((i) => i.vmIds.includes(seed.vms.web)).sort((a, b) => b.id - a.id)[0]!;
    const r = await one.restoreImage(SERVICE, { imageId: web.id, datastoreId: 1, noNic: true });
    expect(r.templateId).toBeGreaterThanOrEqual(0);
    expect(await until(async () => (await one.getImage(SERVICE, r.imageIds[0]!)).state === 'READY', 90_000)).toBe(true);
    await one.deleteImage(SERVICE, r.imageIds[0]!);
    const job = backups.find((i) => i.backupJobId === seed.backupJobId && i.vmIds.includes(seed.vms.app))!;
    await one.deleteImage(SERVICE, job.id);
    for (const id of [r.imageIds[0]!, job.id])
      expect(await until(() => gone(() => one.getImage(SERVICE, id)), 60_000)).toBe(true);
    expect(leftovers()).toEqual([]);
  });
});
