// The VM and Backup Job verbs of issue #25 against a small world of its own (no seed): poweroff and
// resume, the LAST_* BACKUP_CONFIG fields that exist only while a backup runs, in-place restore
// compared with `restic dump` of the chosen increment, `onevm updateconf` of BACKUP_CONFIG, and
// Backup Job retry and cancel with their ERROR/OUTDATED/BACKING_UP lists. Errors are checked as the
// real CLI words them (stderr, exit 255); XML against OpenNebula's XSDs.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, waitFor } from '../common/process';
import { stopSandbox } from '../status';
import { startFrontend, type FrontendInfo } from './frontend';
import { frontendPaths } from './paths';
import { readDb } from './store/db';
import { readConfig } from './config';
import { resticDs } from './driver/datastore-context';
import { createVm } from './ops/create-vm';
import { hold, isWaitingAt, markImageInUse } from './ops/holds';
import { imageChain, imageRepoId } from './ops/image-repo';
import { vmDir } from './vm/disks';
import { one, validate } from './test-support';
import type { Vm } from './store/types';

let stateDir: string;
let info: FrontendInfo;
const DS = 100;
const vm = { inc: -1, solo: -1, j1: -1, j2: -1 };
const paths = () => frontendPaths(stateDir);
const getVm = (id: number): Vm => readDb(paths()).vms.find((v) => v.id === id)!;

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'backstone-vmops-'));
  chmodSync(stateDir, 0o755);
  info = await startFrontend(stateDir);
  const cfg = readConfig(paths());
  const tpl = join(stateDir, 'ds.tpl');
  writeFileSync(
    tpl,
    `NAME = "RBackups"\nTYPE = "BACKUP_DS"\nDS_MAD = "restic"\nTM_MAD = "-"\nRESTIC_PASSWORD = "vmops-pw"\n` +
      `RESTIC_SFTP_SERVER = "${cfg.backupServer}"\nRESTIC_SFTP_USER = "${cfg.account.name}"\n`,
  );
  const created = await one(info, 'oneadmin', 'onedatastore', 'create', tpl);
  expect(created.stdout.trim()).toBe(`ID: ${DS}`);
  vm.inc = await createVm(paths(), {
    name: 'inc',
    uid: 0,
    disksMb: [8, 8],
    backupConfig: { MODE: 'INCREMENT', INCREMENT_MODE: 'SNAPSHOT' },
  });
  vm.solo = await createVm(paths(), { name: 'solo', uid: 3, disksMb: [8] });
  vm.j1 = await createVm(paths(), { name: 'j1', uid: 0, disksMb: [8] });
  vm.j2 = await createVm(paths(), { name: 'j2', uid: 0, disksMb: [8] });
}, 170_000);

afterAll(async () => {
  await waitFor(() => readDb(paths()).vms.every((v) => v.state !== 3 || v.lcmState === 3), 60_000, 100);
  await stopSandbox(stateDir);
  rmSync(stateDir, { recursive: true, force: true });
});

async function ok(account: string, cmd: string, ...args: string[]): Promise<string> {
  const r = await one(info, account, cmd, ...args);
  expect(r.code, `${cmd} ${args.join(' ')}: ${r.stderr}${r.stdout}`).toBe(0);
  return r.stdout;
}

async function refused(expected: string, account: string, cmd: string, ...args: string[]): Promise<void> {
  const r = await one(info, account, cmd, ...args);
  expect([r.code, r.stderr.trim()], `${cmd} ${args.join(' ')}`).toEqual([255, expected]);
}

async function vmXmlValid(id: number): Promise<string> {
  const xml = await ok('oneadmin', 'onevm', 'show', '-x', String(id));
  const v = await validate(xml, 'vm.xsd');
  expect(v.code, v.stderr).toBe(0);
  return xml;
}

async function jobXmlValid(id: number): Promise<string> {
  const xml = await ok('oneadmin', 'onebackupjob', 'show', '-x', String(id));
  const v = await validate(xml, 'backupjob.xsd');
  expect(v.code, v.stderr).toBe(0);
  return xml;
}

const states = (id: number) => [getVm(id).state, getVm(id).lcmState];
const isIdle = (id: number) => {
  const [s, l] = states(id);
  return (s === 3 && l === 3) || (s === 8 && l === 0);
};
const waitIdle = (...ids: number[]) => waitFor(() => ids.every(isIdle), 120_000, 100);

async function backup(id: number, ...extra: string[]): Promise<void> {
  await ok('oneadmin', 'onevm', 'backup', String(id), '-d', String(DS), ...extra);
  expect(await waitIdle(id)).toBe(true);
  expect(getVm(id).userTemplate.find((a) => a.name === 'ERROR')).toBeUndefined();
}

function cfgFile(name: string, text: string): string {
  const f = join(stateDir, name);
  writeFileSync(f, text);
  return f;
}

describe('onevm poweroff / resume', () => {
  it('moves RUNNING <-> POWEROFF and refuses other states with oned words', async () => {
    const id = String(vm.solo);
    await refused(
      '[one.vm.action] Error performing action "resume": This action is not available for state RUNNING',
      'oneadmin',
      'onevm',
      'resume',
      id,
    );
    await ok('oneadmin', 'onevm', 'poweroff', id);
    expect(states(vm.solo)).toEqual([8, 0]);
    await refused(
      '[one.vm.action] Error performing action "poweroff": This action is not available for state POWEROFF',
      'oneadmin',
      'onevm',
      'poweroff',
      id,
    );
    await refused(
      `[one.vm.action] User [2] : Not authorized to perform MANAGE VM [${id}].`,
      'alice',
      'onevm',
      'resume',
      id,
    );
    await refused('[one.vm.action] Error getting virtual machine [999].', 'oneadmin', 'onevm', 'resume', '999');
    // bob owns it: poweroff and resume are VM_MANAGE_OPERATIONS.
    await ok('bob', 'onevm', 'resume', id);
    expect(states(vm.solo)).toEqual([3, 3]);
    await vmXmlValid(vm.solo);
  });
});

describe('LAST_* BACKUP_CONFIG fields', () => {
  it('exist while a backup runs and are erased when it ends', async () => {
    const release = hold(paths(), 'backup');
    try {
      await ok('oneadmin', 'onevm', 'backup', String(vm.solo), '-d', String(DS));
      expect(await waitFor(() => isWaitingAt(paths(), 'backup'), 60_000, 50)).toBe(true);
      const during = await vmXmlValid(vm.solo);
      expect(during).toContain('<LCM_STATE>69</LCM_STATE>');
      expect(during).toContain(`<LAST_DATASTORE_ID><![CDATA[${DS}]]></LAST_DATASTORE_ID>`);
      await refused(
        '[one.vm.updateconf] configuration cannot be updated in state BACKUP',
        'oneadmin',
        'onevm',
        'updateconf',
        String(vm.solo),
        cfgFile('busy.tpl', 'BACKUP_CONFIG = [ KEEP_LAST = "2" ]\n'),
      );
    } finally {
      release();
    }
    expect(await waitIdle(vm.solo)).toBe(true);
    const after = await vmXmlValid(vm.solo);
    expect(after).not.toMatch(/<LAST_(DATASTORE_ID|BRIDGE|BACKUP_ID|BACKUP_SIZE|BACKUP_FORMAT)>/);
    expect(getVm(vm.solo).backupIds).toHaveLength(1);
  });
});

describe('onevm updateconf of BACKUP_CONFIG', () => {
  it('parses as oned does in append and replace mode', async () => {
    const id = String(vm.solo);
    const f = cfgFile(
      'append.tpl',
      'BACKUP_CONFIG = [ MODE = "increment", INCREMENT_MODE = "bogus", KEEP_LAST = "-2", FS_FREEZE = "agent", BACKUP_VOLATILE = "yes" ]\n',
    );
    await ok('oneadmin', 'onevm', 'updateconf', id, f, '--append');
    expect(getVm(vm.solo).backupConfig).toMatchObject({
      MODE: 'INCREMENT',
      INCREMENT_MODE: 'CBT',
      KEEP_LAST: '0',
      FS_FREEZE: 'AGENT',
      BACKUP_VOLATILE: 'YES',
      INCREMENTAL_BACKUP_ID: '-1',
      LAST_INCREMENT_ID: '-1',
    });
    // Append: only what is given changes; INCREMENT_MODE needs MODE beside it.
    await ok(
      'bob',
      'onevm',
      'updateconf',
      id,
      cfgFile('a2.tpl', 'BACKUP_CONFIG=[INCREMENT_MODE="SNAPSHOT",KEEP_LAST="4"]'),
      '-a',
    );
    expect(getVm(vm.solo).backupConfig).toMatchObject({ MODE: 'INCREMENT', INCREMENT_MODE: 'CBT', KEEP_LAST: '4' });
    // Append mode keeps the sections the file does not hold.
    expect(getVm(vm.solo).template.some((a) => a.name === 'OS')).toBe(true);
    // Replace: every absent field is reset.
    await ok('oneadmin', 'onevm', 'updateconf', id, cfgFile('replace.tpl', 'BACKUP_CONFIG = [ KEEP_LAST = "3" ]\n'));
    const c = getVm(vm.solo).backupConfig;
    expect(c).toMatchObject({
      MODE: 'FULL',
      INCREMENT_MODE: 'CBT',
      FS_FREEZE: 'NONE',
      BACKUP_VOLATILE: 'NO',
      KEEP_LAST: '3',
    });
    // Replace mode also erases the OS, GRAPHICS... sections the file does not hold, as oned does.
    expect(getVm(vm.solo).template.some((a) => a.name === 'OS')).toBe(false);
    await vmXmlValid(vm.solo);
  });

  it('refuses what oned refuses, changing nothing', async () => {
    const before = getVm(vm.solo).backupConfig;
    const f = cfgFile('k.tpl', 'BACKUP_CONFIG = [ KEEP_LAST = "9" ]\n');
    await refused(
      '[one.vm.updateconf] Error getting virtual machine [999].',
      'oneadmin',
      'onevm',
      'updateconf',
      '999',
      f,
    );
    await refused(
      `[one.vm.updateconf] User [2] : Not authorized to perform MANAGE VM [${vm.solo}].`,
      'alice',
      'onevm',
      'updateconf',
      String(vm.solo),
      f,
    );
    const missing = join(stateDir, 'nope.tpl');
    await refused(
      `Error reading template: No such file or directory @ rb_sysopen - ${missing}.`,
      'oneadmin',
      'onevm',
      'updateconf',
      String(vm.solo),
      missing,
    );
    const bad = await one(
      info,
      'oneadmin',
      'onevm',
      'updateconf',
      String(vm.solo),
      cfgFile('bad.tpl', 'BACKUP_CONFIG = [ MODE = \n'),
    );
    expect(bad.code).toBe(255);
    expect(bad.stderr).toMatch(/^\[one\.vm\.updateconf\] Parse error/);
    expect(getVm(vm.solo).backupConfig).toEqual(before);
  });
});

async function resticJson(repoId: string, ...args: string[]): Promise<string> {
  const p = paths();
  const ds = resticDs(
    p,
    readDb(p).datastores.find((d) => d.id === DS)!,
  );
  const r = await run(readConfig(p).restic, ['--no-lock', '-r', posix.join(ds.basePath, repoId), ...args], {
    input: ds.password,
    env: { ...process.env, RESTIC_PASSWORD_COMMAND: 'cat', RESTIC_CACHE_DIR: join(stateDir, 'test-cache') },
  });
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
}

/** Ground truth: `restic dump` of each link of the chain up to `inc`, rebased into one qcow2 chain. */
async function groundTruth(imageId: number, inc: number, diskId: number): Promise<string> {
  const img = readDb(paths()).images.find((i) => i.id === imageId)!;
  const repo = imageRepoId(img);
  const chain = imageChain(img).filter((l) => l.id <= inc);
  const dir = mkdtempSync(join(stateDir, 'truth-'));
  const files: string[] = [];
  for (const link of chain) {
    const snaps = JSON.parse(await resticJson(repo, 'snapshots', '--json', link.source)) as { paths: string[] }[];
    const base = posix.dirname(snaps[0]!.paths.find((p) => p.endsWith('/vm.xml'))!);
    const file = join(dir, `disk.${diskId}.${link.id}`);
    const p = paths();
    const ds = resticDs(
      p,
      readDb(p).datastores.find((d) => d.id === DS)!,
    );
    const r = await run(
      'bash',
      [
        '-c',
        `"$0" --no-lock -r "$1" dump "$2" "$3" > "$4"`,
        readConfig(p).restic,
        posix.join(ds.basePath, repo),
        link.source,
        `${base}/disk.${diskId}.${link.id}`,
        file,
      ],
      {
        input: ds.password,
        env: { ...process.env, RESTIC_PASSWORD_COMMAND: 'cat', RESTIC_CACHE_DIR: join(stateDir, 'test-cache') },
      },
    );
    expect(r.code, r.stderr).toBe(0);
    files.push(file);
  }
  for (let i = 1; i < files.length; i++) {
    const r = await run('qemu-img', ['rebase', '-q', '-u', '-F', 'qcow2', '-b', files[i - 1]!, files[i]!]);
    expect(r.code, r.stderr).toBe(0);
  }
  return files[files.length - 1]!;
}

const sysDir = (id: number) => vmDir(readDb(paths()).datastores.find((d) => d.id === 0)!.basePath, id);

describe('onevm restore (in place)', () => {
  let image = -1;

  it('refuses with oned words, changing nothing', async () => {
    await backup(vm.inc);
    await backup(vm.inc);
    await backup(vm.inc);
    const v = getVm(vm.inc);
    image = Number(v.backupConfig.INCREMENTAL_BACKUP_ID);
    expect(
      readDb(paths())
        .images.find((i) => i.id === image)!
        .increments.map((i) => i.id),
    ).toEqual([0, 1, 2]);
    const id = String(vm.inc);
    await refused(
      'Error restoring: [one.vm.restore] Could not restore VM, it must be in poweroff',
      'oneadmin',
      'onevm',
      'restore',
      id,
      String(image),
    );
    await refused(
      'Error restoring: [one.vm.restore] VM disk does not exist',
      'oneadmin',
      'onevm',
      'restore',
      id,
      String(image),
      '--disk-id',
      '7',
    );
    await refused(
      'Error restoring: [one.vm.restore] Wrong increment',
      'oneadmin',
      'onevm',
      'restore',
      id,
      String(image),
      '--increment',
      '9',
    );
    await refused(
      'Error restoring: [one.vm.restore] Error getting image [999].',
      'oneadmin',
      'onevm',
      'restore',
      id,
      '999',
    );
    await refused(
      'Error restoring: [one.vm.restore] Error getting virtual machine [999].',
      'oneadmin',
      'onevm',
      'restore',
      '999',
      String(image),
    );
    expect(states(vm.inc)).toEqual([3, 3]);
  });

  it('replaces the disks with the chosen increment, passing through RESTORE back to POWEROFF', async () => {
    const id = String(vm.inc);
    const dir = sysDir(vm.inc);
    const truth = [await groundTruth(image, 1, 0), await groundTruth(image, 1, 1)];
    // The disks changed since increment 1 (the guest wrote before the third backup).
    expect((await run('qemu-img', ['compare', '-q', truth[0]!, join(dir, 'disk.0')])).code).toBe(1);
    await ok('oneadmin', 'onevm', 'poweroff', id);
    const release = hold(paths(), 'restore-vm');
    try {
      await ok('oneadmin', 'onevm', 'restore', id, String(image), '--increment', '1');
      expect(await waitFor(() => isWaitingAt(paths(), 'restore-vm'), 60_000, 50)).toBe(true);
      expect(states(vm.inc)).toEqual([3, 71]);
      const xml = await vmXmlValid(vm.inc);
      expect(xml).toContain('<LCM_STATE>71</LCM_STATE>');
      await refused(
        `Error creating VM backup: [one.vm.backup] Could not create a new backup for VM ${id}, wrong state RESTORE.`,
        'oneadmin',
        'onevm',
        'backup',
        id,
        '-d',
        String(DS),
      );
    } finally {
      release();
    }
    expect(await waitFor(() => states(vm.inc).join() === '8,0', 120_000, 100)).toBe(true);
    expect(getVm(vm.inc).userTemplate.find((a) => a.name === 'ERROR')).toBeUndefined();
    for (const k of [0, 1]) {
      const cmp = await run('qemu-img', ['compare', truth[k]!, join(dir, `disk.${k}`)]);
      expect(cmp.code, cmp.stdout + cmp.stderr).toBe(0);
    }
    // The next INCREMENT backup starts a new image.
    expect(getVm(vm.inc).backupConfig).toMatchObject({ INCREMENTAL_BACKUP_ID: '-1', LAST_INCREMENT_ID: '-1' });
    await vmXmlValid(vm.inc);
  });

  it('restores one disk with --disk-id, the last increment by default', async () => {
    const dir = sysDir(vm.inc);
    const truth = await groundTruth(image, 2, 1);
    await ok('oneadmin', 'onevm', 'restore', String(vm.inc), String(image), '--disk-id', '1');
    expect(await waitFor(() => states(vm.inc).join() === '8,0', 120_000, 100)).toBe(true);
    expect((await run('qemu-img', ['compare', truth, join(dir, 'disk.1')])).code).toBe(0);
    // disk 0 still holds increment 1
    expect((await run('qemu-img', ['compare', await groundTruth(image, 1, 0), join(dir, 'disk.0')])).code).toBe(0);
    // A backup after the restore is a new chain.
    await backup(vm.inc);
    expect(Number(getVm(vm.inc).backupConfig.INCREMENTAL_BACKUP_ID)).toBeGreaterThan(image);
    expect(states(vm.inc)).toEqual([8, 0]);
  });
});

describe('Backup Job retry and cancel', () => {
  let job = -1;

  it('lists a VM it could not launch in ERROR_VMS, and retry backs it up', async () => {
    const f = cfgFile(
      'job.tpl',
      `NAME = "pair"\nBACKUP_VMS = "${vm.j1},${vm.j2}"\nDATASTORE_ID = "${DS}"\nKEEP_LAST = "2"\nMODE = "FULL"\n`,
    );
    job = Number((await ok('oneadmin', 'onebackupjob', 'create', f)).replace(/\D/g, ''));
    expect(readDb(paths()).backupjobs.find((j) => j.id === job)).toMatchObject({ outdatedVms: [], backingUpVms: [] });
    await refused(
      `Error creating VM backup: [one.vm.backup] Unable to start an individual backup for the Virtual Machine, it is part of Backup Job ID -1`,
      'oneadmin',
      'onevm',
      'backup',
      String(vm.j1),
      '-d',
      String(DS),
    );
    // j2 is busy restoring when the job reaches it (any backup image will do: oned does not check).
    const solo = getVm(vm.solo).backupIds[0]!;
    await ok('oneadmin', 'onevm', 'poweroff', String(vm.j2));
    const release = hold(paths(), 'restore-vm');
    try {
      await ok('oneadmin', 'onevm', 'restore', String(vm.j2), String(solo), '--disk-id', '0');
      expect(await waitFor(() => isWaitingAt(paths(), 'restore-vm'), 60_000, 50)).toBe(true);
      await ok('oneadmin', 'onebackupjob', 'backup', String(job));
      const drained = () => {
        const j = readDb(paths()).backupjobs.find((x) => x.id === job)!;
        return j.outdatedVms.length === 0 && j.backingUpVms.length === 0;
      };
      expect(await waitFor(drained, 120_000, 100)).toBe(true);
    } finally {
      release();
    }
    const j = readDb(paths()).backupjobs.find((x) => x.id === job)!;
    expect([j.updatedVms, j.errorVms]).toEqual([[vm.j1], [vm.j2]]);
    const xml = await jobXmlValid(job);
    expect(xml).toMatch(
      new RegExp(
        `<ERROR><!\\[CDATA\\[\\w{3} \\w{3} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d \\d{4} : \\[backup\\] Could not create a new backup for VM ${vm.j2}, wrong state RESTORE\\.\\]\\]></ERROR>`,
      ),
    );
    expect(getVm(vm.j1).backupConfig).toMatchObject({ BACKUP_JOB_ID: String(job), KEEP_LAST: '2', MODE: 'FULL' });
    expect(await waitIdle(vm.j1, vm.j2)).toBe(true);

    await refused(`[one.backupjob.retry] Error getting backup job [99].`, 'oneadmin', 'onebackupjob', 'retry', '99');
    await ok('oneadmin', 'onebackupjob', 'retry', String(job));
    const done = () => readDb(paths()).backupjobs.find((x) => x.id === job)!.updatedVms.length === 2;
    expect(await waitFor(done, 120_000, 100)).toBe(true);
    const after = readDb(paths()).backupjobs.find((x) => x.id === job)!;
    expect([after.errorVms, after.outdatedVms, after.backingUpVms]).toEqual([[], [], []]);
    expect(after.template.some((a) => a.name === 'ERROR')).toBe(false);
    expect(await waitIdle(vm.j1, vm.j2)).toBe(true);
    expect(getVm(vm.j2).backupIds).toHaveLength(1);
    expect(states(vm.j2)).toEqual([8, 0]);
  });

  it('refuses to run while pending, and cancel empties OUTDATED and BACKING_UP', async () => {
    const imagesBefore = readDb(paths()).images.length;
    const release = hold(paths(), 'backup');
    try {
      await ok('oneadmin', 'onebackupjob', 'backup', String(job));
      expect(await waitFor(() => isWaitingAt(paths(), 'backup'), 60_000, 50)).toBe(true);
      const running = readDb(paths()).backupjobs.find((x) => x.id === job)!;
      expect([running.backingUpVms, running.outdatedVms]).toEqual([[vm.j1], [vm.j2]]);
      await jobXmlValid(job);
      await refused(
        '[one.backupjob.backup] Unable to execute Backup Job, pending backups in progress',
        'oneadmin',
        'onebackupjob',
        'backup',
        String(job),
      );
      await refused(
        `[one.backupjob.cancel] User [2] : Not authorized to perform MANAGE BACKUPJOB [${job}].`,
        'alice',
        'onebackupjob',
        'cancel',
        String(job),
      );
      await ok('oneadmin', 'onebackupjob', 'cancel', String(job));
      const canceled = readDb(paths()).backupjobs.find((x) => x.id === job)!;
      expect([canceled.backingUpVms, canceled.outdatedVms]).toEqual([[], []]);
    } finally {
      release();
    }
    const failed = () =>
      readDb(paths())
        .backupjobs.find((x) => x.id === job)!
        .errorVms.includes(vm.j1);
    expect(await waitFor(failed, 120_000, 100)).toBe(true);
    expect(await waitIdle(vm.j1, vm.j2)).toBe(true);
    expect(getVm(vm.j1).userTemplate.find((a) => a.name === 'ERROR')).toBeDefined();
    expect(readDb(paths()).images.length).toBe(imagesBefore);
    await jobXmlValid(job);
    await vmXmlValid(vm.j1);
  });
});

describe('Backup Job schedules', () => {
  const flat = (xml: string) => xml.replace(/>\s+</g, '><');

  it('keeps SCHED_ACTION as oned encodes it: full in show, IDs only in list', async () => {
    const t = 1_900_000_000;
    const f = cfgFile(
      'sched.tpl',
      `NAME = "scheduled"\nBACKUP_VMS = ""\nDATASTORE_ID = "${DS}"\n` +
        `SCHED_ACTION = [ TIME = "${t}", REPEAT = "0", DAYS = "1,5", END_TYPE = "0", ARGS = "ignored" ]\n`,
    );
    const job = Number((await ok('oneadmin', 'onebackupjob', 'create', f)).replace(/\D/g, ''));
    const shown = flat(await jobXmlValid(job));
    const sa = (id: number, time: number, repeat: number, days: string, endType: number, endValue: number) =>
      `<SCHED_ACTION><ID>${id}</ID><PARENT_ID>${job}</PARENT_ID><TYPE>BACKUPJOB</TYPE><ACTION>backup</ACTION>` +
      `<ARGS></ARGS><TIME>${time}</TIME><REPEAT>${repeat}</REPEAT><DAYS>${days}</DAYS><END_TYPE>${endType}</END_TYPE>` +
      `<END_VALUE>${endValue}</END_VALUE><DONE>-1</DONE><MESSAGE></MESSAGE><WARNING>0</WARNING></SCHED_ACTION>`;
    expect(shown).toContain('<SCHED_ACTIONS><ID>0</ID></SCHED_ACTIONS>');
    expect(shown).toContain(`${sa(0, t, 0, '1,5', 0, -1)}</TEMPLATE>`);

    const added = await ok(
      'oneadmin',
      'onebackupjob',
      'backup',
      String(job),
      '--schedule',
      String(t),
      '--hourly',
      '24',
      '--end',
      '3',
    );
    expect(added).toMatch(
      new RegExp(`^BACKUPJOB ${job}: backup scheduled at \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d [+-]\\d{4}\\n$`),
    );
    const again = flat(await jobXmlValid(job));
    expect(again).toContain('<SCHED_ACTIONS><ID>0</ID><ID>1</ID></SCHED_ACTIONS>');
    expect(again).toContain(`${sa(0, t, 0, '1,5', 0, -1)}${sa(1, t, 3, '24', 1, 3)}</TEMPLATE>`);
    // Nothing ran: a schedule does not start the job.
    expect(readDb(paths()).backupjobs.find((j) => j.id === job)).toMatchObject({ lastBackupTime: 0, outdatedVms: [] });

    const listed = await ok('oneadmin', 'onebackupjob', 'list', '-x');
    expect((await validate(listed, 'backupjob_pool.xsd')).code).toBe(0);
    expect(flat(listed)).toContain('<SCHED_ACTIONS><ID>0</ID><ID>1</ID></SCHED_ACTIONS>');
    expect(listed).not.toContain('<SCHED_ACTION>');
  });

  it('refuses what ScheduledAction::parse refuses, creating nothing', async () => {
    const jobs = readDb(paths()).backupjobs.length;
    const f = cfgFile(
      'bad-sched.tpl',
      `NAME = "bad"\nSCHED_ACTION = [ TIME = "1900000000", REPEAT = "4", DAYS = "1" ]\n`,
    );
    await refused('[one.backupjob.allocate] Wrong REPEAT value: 4', 'oneadmin', 'onebackupjob', 'create', f);
    expect(readDb(paths()).backupjobs.length).toBe(jobs);
    const job = String(readDb(paths()).backupjobs[0]!.id);
    await refused(
      '[one.backupjob.schedadd] Unable to parse the time value or value is empty: +3600',
      'oneadmin',
      'onebackupjob',
      'backup',
      job,
      '--schedule',
      '+3600',
    );
    await refused(
      '[one.backupjob.schedadd] Days in a week have to be in [0,6] range',
      'oneadmin',
      'onebackupjob',
      'backup',
      job,
      '--schedule',
      '1900000000',
      '--weekly',
      '7',
    );
  });
});

describe('test holds of a busy oned', () => {
  it('a held pool listing just takes longer, then answers as usual; a show is not held', async () => {
    const release = hold(paths(), 'list');
    let listed: Awaited<ReturnType<typeof one>> | undefined;
    try {
      const listing = one(info, 'oneadmin', 'onevm', 'list', '-x').then((r) => (listed = r));
      expect(await waitFor(() => isWaitingAt(paths(), 'list'), 60_000, 20)).toBe(true);
      // Other commands still answer meanwhile.
      await vmXmlValid(vm.solo);
      expect(listed).toBeUndefined();
      release();
      await listing;
    } finally {
      release();
    }
    expect(listed?.code, listed?.stderr).toBe(0);
    const v = await validate(listed!.stdout, 'vm_pool.xsd');
    expect(v.code, v.stderr).toBe(0);
  });

  it('a held show (any command, --decrypt too) just takes longer, then answers as usual; a list is not held', async () => {
    const release = hold(paths(), 'show');
    const shown: Record<string, Awaited<ReturnType<typeof one>>> = {};
    try {
      const shows = [
        one(info, 'oneadmin', 'onevm', 'show', '-x', String(vm.solo)).then((r) => (shown.vm = r)),
        one(info, 'oneadmin', 'onedatastore', 'show', '-x', '--decrypt', String(DS)).then((r) => (shown.ds = r)),
      ];
      expect(await waitFor(() => isWaitingAt(paths(), 'show'), 60_000, 20)).toBe(true);
      // Pool listings still answer meanwhile.
      const listed = await ok('oneadmin', 'onevm', 'list', '-x');
      expect((await validate(listed, 'vm_pool.xsd')).code).toBe(0);
      expect(shown).toEqual({});
      release();
      await Promise.all(shows);
    } finally {
      release();
    }
    expect(shown.vm?.code, shown.vm?.stderr).toBe(0);
    const v = await validate(shown.vm!.stdout, 'vm.xsd');
    expect(v.code, v.stderr).toBe(0);
    expect(shown.ds?.code, shown.ds?.stderr).toBe(0);
    expect((await validate(shown.ds!.stdout, 'datastore.xsd')).code).toBe(0);
  });

  it('an image marked in use is refused by oneimage delete as oned refuses it, and kept', async () => {
    const image = readDb(paths()).images.find((i) => i.vms.includes(vm.solo));
    expect(image, 'the backup image of solo').toBeDefined();
    const release = markImageInUse(paths(), image!.id);
    try {
      await refused(
        '[one.image.delete] Cannot delete image. There are 1 VMs using it.',
        'oneadmin',
        'oneimage',
        'delete',
        String(image!.id),
      );
      expect(readDb(paths()).images.find((i) => i.id === image!.id)?.state).toBe(image!.state);
    } finally {
      release();
    }
  });
});
