// OpenNebula 7.4's S3 restic datastores in the simulator, against the sandbox's real S3 server
// (moto, SigV4 enforced) and real restic 0.18: create with the RESTIC_S3_* attributes (secret key
// encrypted at rest), back a VM up into s3:<endpoint>/<bucket>/<VM ID>, list its snapshots with
// restic, monitor as Restic::S3 does, restore an image, delete a backup image (forget --prune),
// and a datastore with a wrong secret whose backup fails with the driver's error.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, waitFor } from '../common/process';
import { stopSandbox } from '../status';
import { CHEAP_KDF } from '../common/restic-key';
import { startS3Server, wrongSecret, type S3Credentials, type S3Server } from '../s3-server';
import { startFrontend, type FrontendInfo } from './frontend';
import { frontendPaths } from './paths';
import { readDb } from './store/db';
import { readConfig } from './config';
import { createVm } from './ops/create-vm';
import { vmDir } from './vm/disks';
import { one, validate } from './test-support';
import type { Vm } from './store/types';

let stateDir: string;
let info: FrontendInfo;
let s3: S3Server;
const BUCKET = 'one-backups';
const PASSWORD = 's3-datastore-pw';
const ds = { good: -1, bad: -1 };
let vmId = -1;
let jobVm = -1;
const paths = () => frontendPaths(stateDir);
const getVm = (id: number): Vm => readDb(paths()).vms.find((v) => v.id === id)!;
const isIdle = (id: number) => getVm(id).state === 3 && getVm(id).lcmState === 3;

function s3Template(name: string, creds: S3Credentials): string {
  return [
    `NAME = "${name}"`,
    'TYPE = "BACKUP_DS"',
    'DS_MAD = "restic"',
    'TM_MAD = "-"',
    'RESTIC_BACKEND = "s3"',
    `RESTIC_PASSWORD = "${PASSWORD}"`,
    `RESTIC_S3_ENDPOINT = "${s3.endpoint}/"`,
    `RESTIC_S3_BUCKET = "${BUCKET}"`,
    `RESTIC_S3_ACCESS_KEY_ID = "${creds.accessKeyId}"`,
    `RESTIC_S3_SECRET_ACCESS_KEY = "${creds.secretAccessKey}"`,
    'RESTIC_S3_FORCE_PATH_STYLE = "YES"',
    'TOTAL_MB = "2048"',
    '',
  ].join('\n');
}

async function ok(cmd: string, ...args: string[]): Promise<string> {
  const r = await one(info, 'oneadmin', cmd, ...args);
  expect(r.code, `${cmd} ${args.join(' ')}: ${r.stderr}${r.stdout}`).toBe(0);
  return r.stdout;
}

async function createDs(name: string, creds: S3Credentials): Promise<number> {
  const file = join(stateDir, `${name}.tpl`);
  writeFileSync(file, s3Template(name, creds));
  const out = await ok('onedatastore', 'create', file);
  return Number(/^ID: (\d+)$/.exec(out.trim())?.[1]);
}

/** restic as a person with the bucket's key would run it, on this machine. */
function restic(repoId: string, ...args: string[]) {
  return run(
    readConfig(paths()).restic,
    ['-o', 's3.bucket-lookup=path', '-r', `s3:${s3.endpoint}/${BUCKET}/${repoId}`, ...args],
    {
      env: {
        PATH: process.env.PATH,
        HOME: stateDir,
        RESTIC_CACHE_DIR: join(stateDir, 'test-restic-cache'),
        AWS_ACCESS_KEY_ID: s3.accessKeyId,
        AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
      },
      input: PASSWORD,
      timeoutMs: 120_000,
    },
  );
}

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'backstone-s3ds-'));
  chmodSync(stateDir, 0o755);
  writeFileSync(join(stateDir, 'test-password'), PASSWORD, { mode: 0o600 });
  s3 = await startS3Server({ stateDir: join(stateDir, 's3') });
  info = await startFrontend(stateDir);
  vmId = await createVm(paths(), { name: 's3-vm', uid: 0, disksMb: [8] });
}, 170_000);

afterAll(async () => {
  await waitFor(() => readDb(paths()).vms.every((v) => v.state !== 3 || v.lcmState === 3), 60_000, 100);
  await stopSandbox(stateDir);
  await s3?.stop();
  rmSync(stateDir, { recursive: true, force: true });
});

describe('an S3 restic datastore', () => {
  it('is created with the S3 attributes; the secret key is encrypted unless oneadmin asks for --decrypt', async () => {
    ds.good = await createDs('RBackups-S3', s3);
    expect(info.version).toBe('7.4.0');
    const xml = await ok('onedatastore', 'show', '-x', String(ds.good));
    expect((await validate(xml, 'datastore.xsd')).code).toBe(0);
    expect(xml).toContain('<RESTIC_BACKEND><![CDATA[s3]]></RESTIC_BACKEND>');
    expect(xml).toContain(`<RESTIC_S3_ACCESS_KEY_ID><![CDATA[${s3.accessKeyId}]]>`);
    expect(xml).not.toContain(s3.secretAccessKey);
    expect(xml).not.toContain(PASSWORD);
    const clear = await ok('onedatastore', 'show', '-x', '--decrypt', String(ds.good));
    expect(clear).toContain(`<RESTIC_S3_SECRET_ACCESS_KEY><![CDATA[${s3.secretAccessKey}]]>`);
    const alice = await one(info, 'alice', 'onedatastore', 'show', '-x', '--decrypt', String(ds.good));
    expect(alice.stdout).not.toContain(s3.secretAccessKey);
  });

  it('backs a VM up with real restic into s3:<endpoint>/<bucket>/<VM ID>, tagged and laid out as SFTP backups', async () => {
    await ok('onevm', 'backup', String(vmId), '-d', String(ds.good));
    expect(await waitFor(() => isIdle(vmId), 120_000, 100)).toBe(true);
    expect(getVm(vmId).userTemplate.find((a) => a.name === 'ERROR')).toBeUndefined();
    const img = readDb(paths()).images.find((i) => i.datastoreId === ds.good && i.vms.includes(vmId));
    expect(img).toBeDefined();
    const r = await restic(String(vmId), 'snapshots', '--json', '--no-lock');
    expect(r.code, r.stderr).toBe(0);
    const snaps = JSON.parse(r.stdout) as { short_id: string; tags: string[]; paths: string[] }[];
    expect(snaps).toHaveLength(1);
    expect(snaps[0]!.short_id).toBe(img!.source);
    expect(snaps[0]!.tags).toEqual([`one-${vmId}`]);
    const dir = `${vmDir(readDb(paths()).datastores.find((d) => d.id === 0)!.basePath, vmId)}/backup`;
    expect(snaps[0]!.paths.sort()).toEqual([`${dir}/disk.0.0`, `${dir}/vm.xml`]);
  });

  it("writes the new repository itself, bucket included, with the sandbox's cheap key, as on the backup server", async () => {
    const list = await restic(String(vmId), 'key', 'list', '--json', '--no-lock');
    expect(list.code, list.stderr).toBe(0);
    const keys = JSON.parse(list.stdout) as { id: string }[];
    expect(keys).toHaveLength(1);
    const key = await restic(String(vmId), 'cat', 'key', keys[0]!.id, '--no-lock');
    expect(key.code, key.stderr).toBe(0);
    expect(JSON.parse(key.stdout)).toMatchObject(CHEAP_KDF);
    // Not restic's init, whose keys say when in nanoseconds (driver/repo-shortcuts.ts).
    expect((JSON.parse(key.stdout) as { created: string }).created).toMatch(/T\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it('is monitored as Restic::S3 does: backup image sizes against TOTAL_MB', async () => {
    const db = readDb(paths());
    const used = db.images.filter((i) => i.datastoreId === ds.good && i.type === 6).reduce((a, i) => a + i.size, 0);
    const d = db.datastores.find((x) => x.id === ds.good)!;
    expect([d.totalMb, d.usedMb, d.freeMb]).toEqual([2048, used, 2048 - used]);
  });

  it('restores an image equal to the VM disk (restic runs on the front-end)', async () => {
    const img = readDb(paths()).images.find((i) => i.datastoreId === ds.good && i.vms.includes(vmId))!;
    const r = await one(info, 'oneadmin', 'oneimage', 'restore', String(img.id), '-d', '1');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/^VM Template: \d+\nImages: [\d ]+\n$/);
    const ids = r.stdout.split('\n')[1]!.slice('Images: '.length).split(' ').map(Number);
    const settled = () =>
      readDb(paths())
        .images.filter((i) => ids.includes(i.id))
        .every((i) => i.state === 1 || i.state === 5);
    expect(await waitFor(settled, 120_000, 100)).toBe(true);
    const restored = readDb(paths()).images.find((i) => i.id === ids[0])!;
    expect(restored.state, JSON.stringify(restored.template)).toBe(1);
    const disk = join(vmDir(readDb(paths()).datastores.find((d) => d.id === 0)!.basePath, vmId), 'disk.0');
    const cmp = await run('qemu-img', ['compare', restored.source, disk]);
    expect(cmp.code, cmp.stdout + cmp.stderr).toBe(0);
  });

  it('restores the VM in place from S3 (POWEROFF -> RESTORE -> POWEROFF), disks equal to the backup', async () => {
    const img = readDb(paths()).images.find((i) => i.datastoreId === ds.good && i.vms.includes(vmId))!;
    const disk = join(vmDir(readDb(paths()).datastores.find((d) => d.id === 0)!.basePath, vmId), 'disk.0');
    const copy = join(stateDir, 'disk.0.before');
    await run('cp', [disk, copy]);
    await ok('onevm', 'poweroff', String(vmId));
    await ok('onevm', 'restore', String(vmId), String(img.id));
    const poweredOff = () => getVm(vmId).state === 8 && getVm(vmId).lcmState === 0;
    expect(await waitFor(poweredOff, 120_000, 100)).toBe(true);
    expect(getVm(vmId).userTemplate.find((a) => a.name === 'ERROR')).toBeUndefined();
    const cmp = await run('qemu-img', ['compare', copy, disk]);
    expect(cmp.code, cmp.stdout + cmp.stderr).toBe(0);
    await ok('onevm', 'resume', String(vmId));
    expect(await waitFor(() => isIdle(vmId), 60_000, 100)).toBe(true);
  });

  it('runs a Backup Job into s3:<endpoint>/<bucket>/job_<ID>', async () => {
    const member = await createVm(paths(), { name: 's3-job-vm', uid: 0, disksMb: [8] });
    jobVm = member;
    const file = join(stateDir, 'job.tpl');
    writeFileSync(file, `NAME = "s3-job"\nBACKUP_VMS = "${member}"\nDATASTORE_ID = "${ds.good}"\nMODE = "FULL"\n`);
    const job = Number((await ok('onebackupjob', 'create', file)).replace(/\D/g, ''));
    await ok('onebackupjob', 'backup', String(job));
    const drained = () => {
      const j = readDb(paths()).backupjobs.find((x) => x.id === job)!;
      return j.outdatedVms.length === 0 && j.backingUpVms.length === 0 && isIdle(member);
    };
    expect(await waitFor(drained, 120_000, 100)).toBe(true);
    expect(readDb(paths()).backupjobs.find((x) => x.id === job)!.updatedVms).toEqual([member]);
    const r = await restic(`job_${job}`, 'snapshots', '--json', '--no-lock');
    expect(r.code, r.stderr).toBe(0);
    const snaps = JSON.parse(r.stdout) as { tags: string[] }[];
    expect(snaps.map((x) => x.tags)).toEqual([[`one-${member}`]]);
  });

  it('deletes a backup image: restic forgets its snapshot in the bucket', async () => {
    const img = readDb(paths()).images.find((i) => i.datastoreId === ds.good && i.vms.includes(vmId))!;
    await ok('oneimage', 'delete', String(img.id));
    expect(await waitFor(() => !readDb(paths()).images.some((i) => i.id === img.id), 60_000, 100)).toBe(true);
    const r = await restic(String(vmId), 'snapshots', '--json', '--no-lock');
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([]);
    // Monitored again: only the Backup Job's image is left.
    const left = readDb(paths()).images.filter((i) => i.datastoreId === ds.good && i.type === 6);
    expect(left.map((i) => i.vms)).toEqual([[jobVm]]);
    expect(readDb(paths()).datastores.find((x) => x.id === ds.good)!.usedMb).toBe(left[0]!.size);
  });

  it('with a wrong secret key, the backup fails with the driver error and records no image', async () => {
    ds.bad = await createDs('RBackups-S3-bad', wrongSecret(s3));
    const before = readDb(paths()).images.length;
    await ok('onevm', 'backup', String(vmId), '-d', String(ds.bad));
    expect(await waitFor(() => isIdle(vmId), 120_000, 100)).toBe(true);
    const error = getVm(vmId).userTemplate.find((a) => a.name === 'ERROR');
    expect(error && 'value' in error ? error.value : '').toMatch(/BACKUP: .*Access Denied/);
    expect(readDb(paths()).images.length).toBe(before);
  });
});

describe('an S3 restic datastore over HTTPS', () => {
  let tls: S3Server;
  beforeAll(async () => {
    tls = await startS3Server({ stateDir: join(stateDir, 's3-tls'), tls: true });
  }, 120_000);
  afterAll(async () => {
    await tls?.stop();
  });

  it('backs up with RESTIC_S3_CACERT (--cacert on every restic command)', async () => {
    const file = join(stateDir, 'tls.tpl');
    writeFileSync(
      file,
      [
        'NAME = "RBackups-S3-TLS"',
        'TYPE = "BACKUP_DS"',
        'DS_MAD = "restic"',
        'RESTIC_BACKEND = "S3"',
        `RESTIC_PASSWORD = "${PASSWORD}"`,
        `RESTIC_S3_ENDPOINT = "${tls.endpoint}"`,
        'RESTIC_S3_BUCKET = "tls-backups"',
        `RESTIC_S3_ACCESS_KEY_ID = "${tls.accessKeyId}"`,
        `RESTIC_S3_SECRET_ACCESS_KEY = "${tls.secretAccessKey}"`,
        `RESTIC_S3_CACERT = "${tls.caCertPath}"`,
        '',
      ].join('\n'),
    );
    const dsId = Number(/^ID: (\d+)$/.exec((await ok('onedatastore', 'create', file)).trim())?.[1]);
    const member = await createVm(paths(), { name: 's3-tls-vm', uid: 0, disksMb: [8] });
    await ok('onevm', 'backup', String(member), '-d', String(dsId));
    expect(await waitFor(() => isIdle(member), 120_000, 100)).toBe(true);
    expect(getVm(member).userTemplate.find((a) => a.name === 'ERROR')).toBeUndefined();
    expect(readDb(paths()).images.filter((i) => i.datastoreId === dsId)).toHaveLength(1);
  });
});
