// Restore progress counts the whole job, with real parts (the sandbox front-end, sshd, restic 0.18,
// qemu-img): a restore of an increment chain onto the backup server ends with a total equal to the
// sum of its links' sizes (as restic itself measures each snapshot), not the last link's alone; a
// restore into OpenNebula counts the bytes of the images it copies and, when it ends, names the
// images and the VM template it made.
import { chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  jobEnded,
  startBackstoneWorld,
  stopBackstoneWorld,
  type BackstoneWorld,
  resticDatastoreTemplate,
  SANDBOX_ADMIN,
} from '@/scripts/test-support/backstone-world';
import { type BackupServerInfo } from '@/sandbox/common/info';
import { runOk, waitFor } from '@/sandbox/common/process';
import { resticBinary } from '@/sandbox/common/restic-binaries';
import { type FrontendInfo } from '@/sandbox/opennebula/frontend';
import { createVm } from '@/sandbox/opennebula/ops/create-vm';
import { inBackup } from '@/sandbox/opennebula/ops/states';
import { frontendPaths, type FrontendPaths } from '@/sandbox/opennebula/paths';
import { readDb } from '@/sandbox/opennebula/store/db';
import { vmDir } from '@/sandbox/opennebula/vm/disks';
import { cliRunner, type Cli } from '@/sandbox/seed/cli-runner';
import { submitImageRestore, submitServerRestore, type Job } from './index';

const PASSWORD = 'progress-restic-Pw';
const TMP_DIR = '/var/tmp/backstone-progress';
const IMAGE_DS = 1; // the sandbox's default image datastore
const ADMIN = SANDBOX_ADMIN;

let world: BackstoneWorld | undefined;
let stateDir: string;
let info: FrontendInfo;
let paths: FrontendPaths;
let cli: Cli;
let server: BackupServerInfo;
let dsId: number;
let vmId: number;
let imageId: number;

const finished = (id: number, ms = 180_000): Promise<Job> => jobEnded(ADMIN, id, ms);

/** Ground truth: the bytes a full restore of the snapshot writes, as restic itself counts them. */
async function restoreSize(snapshot: string): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'backstone-progress-truth-'));
  try {
    const pw = join(dir, 'pw');
    writeFileSync(pw, PASSWORD, { mode: 0o600 });
    const out = await runOk(
      resticBinary('0.18'),
      [
        '--no-lock',
        `--password-file=${pw}`,
        `--repo=${join(server.datastoresRoot, String(dsId), String(vmId))}`,
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
        },
      },
    );
    return (JSON.parse(out) as { total_size: number }).total_size;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function backup() {
  await cli('oneadmin', 'onevm', ['backup', String(vmId), '-d', String(dsId)]);
  const idle = () => !inBackup(readDb(paths).vms.find((v) => v.id === vmId)!.lcmState);
  if (!(await waitFor(idle, 120_000, 100))) throw new Error('the backup did not end within 120 s');
}

beforeAll(async () => {
  world = await startBackstoneWorld('progress');
  ({ stateDir, info, server } = world);
  paths = frontendPaths(stateDir);
  cli = cliRunner(info);

  const tplFile = join(stateDir, 'ds.tpl');
  writeFileSync(
    tplFile,
    resticDatastoreTemplate({ server }, { name: 'Progress', password: PASSWORD, tmpDir: TMP_DIR }),
    { mode: 0o600 },
  );
  dsId = Number((await cli('oneadmin', 'onedatastore', ['create', tplFile])).replace(/\D/g, ''));
  rmSync(tplFile);
  const restoreBase = join(server.root, TMP_DIR);
  mkdirSync(restoreBase, { recursive: true });
  chownSync(restoreBase, server.uid, server.uid);

  // An increment chain whose FULL is much larger than its increment: 16 MiB of data, then 2 MiB.
  vmId = await createVm(paths, {
    name: 'progress-me',
    uid: 0,
    disksMb: [64, 16],
    backupConfig: { MODE: 'INCREMENT', INCREMENT_MODE: 'SNAPSHOT' },
  });
  const disk = join(vmDir(readDb(paths).datastores.find((d) => d.id === 0)!.basePath, vmId), 'disk.0');
  await runOk('qemu-io', ['-f', 'qcow2', '-c', 'write -P 0x5a 8M 16M', disk]);
  await backup();
  await runOk('qemu-io', ['-f', 'qcow2', '-c', 'write -P 0x3c 40M 2M', disk]);
  await backup();
  const image = readDb(paths).images.find((i) => i.vms.includes(vmId) && i.datastoreId === dsId);
  if (!image) throw new Error('the backups made no image');
  if (image.increments.length !== 2) throw new Error(`expected 2 increments, got ${image.increments.length}`);
  imageId = image.id;
}, 300_000);

afterAll(async () => {
  await stopBackstoneWorld(world);
});

describe('restore progress counts the whole job', () => {
  it('a chain restore onto the backup server ends with the sum of its links, not the last link', async () => {
    const links = await Promise.all(
      readDb(paths)
        .images.find((i) => i.id === imageId)!
        .increments.map((l) => restoreSize(l.source)),
    );
    expect(links).toHaveLength(2);
    const id = await submitServerRestore(ADMIN, {
      datastoreId: dsId,
      repository: String(vmId),
      imageId,
      folder: 'chain-1',
    });
    const job = await finished(id);
    expect(job.status, job.message).toBe('succeeded');
    expect(job.title).toContain(`of datastore Progress (${dsId})`);
    const sum = links[0]! + links[1]!;
    expect(job.bytesTotal).toBe(sum);
    expect(job.bytesDone).toBe(sum);
    expect(job.bytesTotal).toBeGreaterThan(links[1]!);
    // The ended job names the target and the files it left there.
    const result = job.result as { target: string; disks: { path: string }[]; vmXml?: string };
    expect(result.target).toBe(join(server.root, TMP_DIR, 'chain-1'));
    expect(result.disks.map((d) => d.path).sort()).toEqual([
      join(result.target, 'disk.0.qcow2'),
      join(result.target, 'disk.1.qcow2'),
    ]);
  }, 300_000);

  it('a restore into OpenNebula counts the images’ bytes and names the images and template it made', async () => {
    const id = await submitImageRestore(
      { username: 'oneadmin', credential: ADMIN.credential },
      { imageId, datastoreId: IMAGE_DS, noNic: true, noIp: true },
    );
    const job = await finished(id);
    expect(job.status, job.message).toBe('succeeded');
    const result = job.result as {
      templateId: number;
      templateName?: string;
      images: { id: number; name: string; sizeMb: number }[];
    };
    const db = readDb(paths);
    const template = db.templates.find((t) => t.id === result.templateId);
    expect(template, `template ${result.templateId}`).toBeDefined();
    expect(result.templateName).toBe(template!.name);
    expect(result.images).toHaveLength(2);
    for (const img of result.images) {
      const truth = db.images.find((i) => i.id === img.id)!;
      expect(img).toMatchObject({ id: truth.id, name: truth.name, sizeMb: truth.size });
    }
    const total = result.images.reduce((a, i) => a + i.sizeMb * 1024 * 1024, 0);
    expect(job.bytesTotal).toBe(total);
    expect(job.bytesDone).toBe(total);
  }, 300_000);
});
