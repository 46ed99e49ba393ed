// Cancel undoes: a canceled restore removes every object it created, with real parts (the sandbox
// front-end, sshd, restic 0.18, qemu-img). A restore into OpenNebula is canceled at each stage of
// its life: while `oneimage restore` runs (nothing copied yet), while an image copy is in progress,
// and after the images are READY but before the job has ended. The sandbox's holds keep the
// front-end at that moment (no sleeps); afterwards neither `oneimage list` nor `onetemplate list`
// shows anything the job created, and the job's record says truthfully what was removed. A
// restore onto the backup server canceled mid-restic leaves no partial target folder.
import { chownSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { parseStringPromise } from 'xml2js';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  jobEnded,
  startBackstoneWorld,
  stopBackstoneWorld,
  type BackstoneWorld,
  resticDatastoreTemplate,
  SANDBOX_ADMIN,
} from '@/scripts/test-support/backstone-world';
import { sandboxProcesses } from '@/sandbox/backup-server/test-faults';
import { type BackupServerInfo } from '@/sandbox/common/info';
import { runOk, waitFor } from '@/sandbox/common/process';
import { type FrontendInfo } from '@/sandbox/opennebula/frontend';
import { createVm } from '@/sandbox/opennebula/ops/create-vm';
import { hold, isWaitingAt, markImageInUse } from '@/sandbox/opennebula/ops/holds';
import { IMAGE_STATE, inBackup } from '@/sandbox/opennebula/ops/states';
import { frontendPaths, type FrontendPaths } from '@/sandbox/opennebula/paths';
import { readDb } from '@/sandbox/opennebula/store/db';
import { vmDir } from '@/sandbox/opennebula/vm/disks';
import { cliRunner, type Cli } from '@/sandbox/seed/cli-runner';
import { cancelJob, submitImageRestore, submitServerRestore, visibleJob, visibleJobLog, type Job } from './index';

const PASSWORD = 'cancel-restic-Pw$"x';
const TMP_DIR = '/var/tmp/backstone-restores';
const IMAGE_DS = 1; // the sandbox's default image datastore
const ADMIN = SANDBOX_ADMIN;
const PERSON = { username: 'oneadmin', credential: ADMIN.credential };

let world: BackstoneWorld | undefined;
let stateDir: string;
let info: FrontendInfo;
let paths: FrontendPaths;
let cli: Cli;
let server: BackupServerInfo;
let dsId: number;
let imageId: number;
let repoName: string;
let restoreBase: string;
const releases: (() => void)[] = [];

type Objects = { images: number[]; templates: number[] };

/** What OpenNebula lists, as a person would ask it: `oneimage list -x`, `onetemplate list -x`. */
async function objects(): Promise<Objects> {
  const ids = async (command: string, pool: string, el: string) => {
    const doc = (await parseStringPromise(await cli('oneadmin', command, ['list', '-x']))) as Record<
      string,
      Record<string, { ID: string[] }[]> | string
    >;
    const root = doc[pool];
    return typeof root === 'object' ? (root[el] ?? []).map((o) => Number(o.ID[0])) : [];
  };
  return {
    images: await ids('oneimage', 'IMAGE_POOL', 'IMAGE'),
    templates: await ids('onetemplate', 'VMTEMPLATE_POOL', 'VMTEMPLATE'),
  };
}

const finished = (id: number, ms = 120_000): Promise<Job> => jobEnded(ADMIN, id, ms);

const logOf = (id: number) => (visibleJobLog(ADMIN, id) ?? []).map((l) => l.line);

/** The IDs the job's log reports from `oneimage restore` (VM Template: X / Images: ...). */
function createdBy(id: number): Objects {
  const log = logOf(id);
  const t = log.map((l) => /^VM Template: (\d+)$/.exec(l)).find(Boolean);
  const i = log.map((l) => /^Images: ([\d ]+)$/.exec(l)).find(Boolean);
  return { templates: t ? [Number(t[1])] : [], images: i ? i[1]!.split(' ').map(Number) : [] };
}

function holdAt(point: Parameters<typeof hold>[1]): () => void {
  const release = hold(paths, point);
  releases.push(release);
  return release;
}

const restore = () => submitImageRestore(PERSON, { imageId, datastoreId: IMAGE_DS, noNic: true, noIp: true });

/** After a cancel: nothing the job created is left, and its record says what was removed. */
async function expectUndone(id: number, before: Objects): Promise<Job> {
  const job = await finished(id);
  const made = createdBy(id);
  expect(made.templates).toHaveLength(1);
  expect(made.images).toHaveLength(2);
  expect(job.status).toBe('canceled');
  expect(job.canceling).toBeFalsy();
  expect(job.message).toBe(
    `Canceled. Removed what the job had created in OpenNebula: VM template ${made.templates[0]}, images ${made.images.join(', ')}.`,
  );
  expect(job.result).toMatchObject({ left: [] });
  expect(await objects()).toEqual(before);
  // The copies' staging folders on the backup server are gone too.
  expect(readdirSync(restoreBase).filter((n) => !n.startsWith('.'))).toEqual([]);
  return job;
}

beforeAll(async () => {
  world = await startBackstoneWorld('cancel');
  ({ stateDir, info, server } = world);
  paths = frontendPaths(stateDir);
  cli = cliRunner(info);

  const tplFile = join(stateDir, 'ds.tpl');
  writeFileSync(tplFile, resticDatastoreTemplate({ server }, { name: 'Cancel', password: PASSWORD, tmpDir: TMP_DIR }), {
    mode: 0o600,
  });
  dsId = Number((await cli('oneadmin', 'onedatastore', ['create', tplFile])).replace(/\D/g, ''));
  rmSync(tplFile);
  restoreBase = join(server.root, TMP_DIR);
  mkdirSync(restoreBase, { recursive: true });
  chownSync(restoreBase, server.uid, server.uid);

  // A VM with two disks (so a restore makes two images and a template), data on the first so an
  // onto-server restore lasts a moment; one FULL backup.
  const vmId = await createVm(paths, { name: 'cancel-me', uid: 0, disksMb: [64, 16] });
  const disk = join(vmDir(readDb(paths).datastores.find((d) => d.id === 0)!.basePath, vmId), 'disk.0');
  await runOk('qemu-io', ['-f', 'qcow2', '-c', 'write -P 0x5a 8M 32M', disk]);
  await cli('oneadmin', 'onevm', ['backup', String(vmId), '-d', String(dsId)]);
  const idle = () => !inBackup(readDb(paths).vms.find((v) => v.id === vmId)!.lcmState);
  if (!(await waitFor(idle, 120_000, 100))) throw new Error('the backup did not end within 120 s');
  const image = readDb(paths).images.find((i) => i.vms.includes(vmId));
  if (!image) throw new Error('the backup made no image');
  imageId = image.id;
  repoName = String(vmId);
}, 180_000);

afterEach(() => {
  for (const release of releases.splice(0)) release();
});

afterAll(async () => {
  await stopBackstoneWorld(world);
});

describe('cancel a restore into OpenNebula: nothing it created is left', () => {
  it('(1) while `oneimage restore` runs, before any copy starts: the images and template it registers are removed', async () => {
    const before = await objects();
    const release = holdAt('restore');
    const id = await restore();
    expect(await waitFor(() => isWaitingAt(paths, 'restore'), 60_000, 20)).toBe(true);
    expect(cancelJob(id)).toBe(true);
    // The CLI is not killed: oned would go on registering, and the IDs would be lost.
    expect(visibleJob(ADMIN, id)).toMatchObject({ status: 'running', canceling: true });
    release();
    await expectUndone(id, before);
  });

  it('(2) while an image copy is in progress: the template goes at once, the images when the copy ends', async () => {
    const before = await objects();
    const release = holdAt('copy');
    const id = await restore();
    const copying = () => isWaitingAt(paths, 'copy') && createdBy(id).images.length === 2;
    expect(await waitFor(copying, 60_000, 20)).toBe(true);
    const made = createdBy(id);
    expect(made.images.map((i) => readDb(paths).images.find((x) => x.id === i)?.state)).toEqual([
      IMAGE_STATE.LOCKED,
      IMAGE_STATE.LOCKED,
    ]);
    expect(cancelJob(id)).toBe(true);
    // Deleting a LOCKED image would leave the copied data in the datastore: the job waits for
    // the copy, and says so; the template has no such reason to wait.
    expect(await waitFor(async () => !(await objects()).templates.includes(made.templates[0]!), 60_000, 100)).toBe(
      true,
    );
    expect(
      await waitFor(
        () => /waiting for OpenNebula to finish copying/.test(visibleJob(ADMIN, id)?.message ?? ''),
        30_000,
      ),
    ).toBe(true);
    expect(visibleJob(ADMIN, id)).toMatchObject({ status: 'running', canceling: true });
    release();
    await expectUndone(id, before);
  });

  it('(3) after the images are READY, before the job has ended: images and template are removed', async () => {
    const before = await objects();
    const id = await restore();
    // oned slow to answer `oneimage show`: the job is still following images that are READY.
    const release = holdAt('image-show');
    const ready = () => {
      const made = createdBy(id);
      const db = readDb(paths);
      return (
        made.images.length === 2 &&
        made.images.every((i) => db.images.find((x) => x.id === i)?.state === IMAGE_STATE.READY) &&
        isWaitingAt(paths, 'image-show')
      );
    };
    expect(await waitFor(ready, 90_000, 50)).toBe(true);
    expect(visibleJob(ADMIN, id)?.status).toBe('running');
    expect(cancelJob(id)).toBe(true);
    release();
    await expectUndone(id, before);
  });
});

describe('cancel where OpenNebula refuses a delete: exactly what is left, and how to remove it', () => {
  it('an image oned refuses to delete (a VM uses it) is listed with its reason and `oneimage delete`; the rest is removed', async () => {
    const before = await objects();
    const id = await restore();
    // As in (3): the images are READY and the job still follows them.
    const release = holdAt('image-show');
    const ready = () => {
      const made = createdBy(id);
      const db = readDb(paths);
      return (
        made.images.length === 2 &&
        made.images.every((i) => db.images.find((x) => x.id === i)?.state === IMAGE_STATE.READY) &&
        isWaitingAt(paths, 'image-show')
      );
    };
    expect(await waitFor(ready, 90_000, 50)).toBe(true);
    const made = createdBy(id);
    const [kept, removed] = made.images as [number, number];
    // Meanwhile a VM came to use the first restored image: oned refuses its deletion.
    const stopUsing = markImageInUse(paths, kept);
    releases.push(stopUsing);
    expect(cancelJob(id)).toBe(true);
    release();
    try {
      const job = await finished(id);
      expect(job.status).toBe('canceled');
      expect(job.result).toMatchObject({ removed: { templateIds: made.templates, imageIds: [removed] } });
      const left = (job.result as { left: { what: string; reason: string; command: string }[] }).left;
      expect(left).toEqual([
        {
          what: `image ${kept}`,
          reason: expect.stringContaining('There are 1 VMs using it') as string,
          command: `oneimage delete ${kept}`,
        },
      ]);
      expect(job.message).toContain(
        `Removed what the job had created in OpenNebula: VM template ${made.templates[0]}, image ${removed}.`,
      );
      expect(job.message).toContain(`Left in OpenNebula: image ${kept} (`);
      expect(job.message).toMatch(new RegExp(`Remove it with: oneimage delete ${kept}$`));
      // Exactly that image is left: nothing else the job created.
      const after = await objects();
      expect(after.templates).toEqual(before.templates);
      expect(after.images.sort((a, b) => a - b)).toEqual([...before.images, kept].sort((a, b) => a - b));
    } finally {
      // The listed command does remove it, once no VM uses it.
      stopUsing();
      await cli('oneadmin', 'oneimage', ['delete', String(kept)]);
      expect(await waitFor(async () => !(await objects()).images.includes(kept), 60_000, 100)).toBe(true);
    }
  });
});

describe('why a cancel waits for a copy to end', () => {
  it('oned accepts deleting a LOCKED image mid-copy, but the copy then leaves its data in the datastore', async () => {
    const release = holdAt('copy');
    const out = await cli('oneadmin', 'oneimage', ['restore', String(imageId), '-d', String(IMAGE_DS), '--no_nic']);
    const [first, second] = /^Images: ([\d ]+)$/m.exec(out)![1]!.split(' ').map(Number) as [number, number];
    const template = Number(/^VM Template: (\d+)$/m.exec(out)![1]);
    expect(await waitFor(() => isWaitingAt(paths, 'copy'), 60_000, 20)).toBe(true);
    await cli('oneadmin', 'oneimage', ['delete', String(first)]);
    expect((await objects()).images).not.toContain(first);
    release();
    const dsDir = readDb(paths).datastores.find((d) => d.id === IMAGE_DS)!.basePath;
    const readyOrGone = () => readDb(paths).images.find((i) => i.id === second)?.state === IMAGE_STATE.READY;
    expect(await waitFor(readyOrGone, 60_000, 50)).toBe(true);
    const sources = new Set(readDb(paths).images.map((i) => i.source));
    const orphans = readdirSync(dsDir).filter((f) => !sources.has(posix.join(posix.normalize(dsDir), f)));
    try {
      expect(orphans).toHaveLength(1);
    } finally {
      for (const f of orphans) rmSync(join(dsDir, f), { force: true });
      await cli('oneadmin', 'oneimage', ['delete', String(second)]);
      await cli('oneadmin', 'onetemplate', ['delete', String(template)]);
      await waitFor(async () => !(await objects()).images.includes(second), 60_000, 100);
    }
  });
});

describe('cancel a restore onto the backup server', () => {
  /** restic processes of this sandbox doing `verb` (their command lines name its state folder). */
  const resticDoing = (verb: string) =>
    sandboxProcesses(stateDir, 'restic').filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(verb);
      } catch {
        return false;
      }
    });

  it('while restic restores: the partial target folder is removed and the record says so', async () => {
    const id = await submitServerRestore(ADMIN, { datastoreId: dsId, repository: repoName, imageId, folder: 'cut' });
    const target = posix.join(restoreBase, 'cut');
    expect(await waitFor(() => resticDoing('restore').length > 0, 60_000, 10)).toBe(true);
    expect(cancelJob(id)).toBe(true);
    const job = await finished(id);
    expect(job.status).toBe('canceled');
    expect(job.message).toBe(`Canceled. Removed the partial target ${target}; nothing is left on the backup server.`);
    expect(job.result).toMatchObject({ left: [] });
    expect(logOf(id)).toContain(`Removing the partial target ${target}.`);
    expect(readdirSync(restoreBase)).toEqual([]);
    expect(await waitFor(() => resticDoing('restore').length === 0, 15_000, 50)).toBe(true);
  });

  it('when the partial target cannot be removed: the record names it, why, and the command that removes it', async (t) => {
    // A folder of root's inside the target, which the backup account cannot delete.
    if (process.getuid?.() !== 0 || server.uid === 0) return t.skip('needs root and a separate backup account');
    const id = await submitServerRestore(ADMIN, { datastoreId: dsId, repository: repoName, imageId, folder: 'stuck' });
    const target = posix.join(restoreBase, 'stuck');
    expect(await waitFor(() => resticDoing('restore').length > 0, 60_000, 10)).toBe(true);
    mkdirSync(join(target, 'kept-by-root'));
    writeFileSync(join(target, 'kept-by-root', 'f'), 'x');
    try {
      expect(cancelJob(id)).toBe(true);
      const job = await finished(id);
      expect(job.status).toBe('canceled');
      const command = `ssh ${server.account}@${server.name} 'rm -rf -- ${target}'`;
      expect(job.message).toBe(
        `Canceled. Left on the backup server: the partial target ${target} (rm: cannot remove '${target}/kept-by-root/f': Permission denied). Remove it with: ${command}`,
      );
      expect(job.result).toMatchObject({ removed: [], left: [{ what: `the partial target ${target}`, command }] });
      // What the record says is left is what is there.
      expect(readdirSync(restoreBase)).toEqual(['stuck']);
    } finally {
      rmSync(target, { recursive: true, force: true });
    }
  });
});
