// The demo cloud: datastore 100 "RBackups" on the sandbox backup server, VMs of oneadmin, alice and
// bob, FULL backups under KEEP_LAST, an INCREMENT chain flattened twice, a daily Backup Job whose two
// VMs belong to two different owners (alice and bob share its repository) and whose last run could
// not back one of them up (ERROR_VMS: the VM was being restored in place when the job reached it),
// what real clouds accumulate: a stale exclusive lock, an orphan snapshot, a dangling image; and two
// VMs that should be protected and are not: one overdue (its daily scheduled backup never ran), one
// never backed up (a weekly scheduled backup, no backup yet).
// Deterministic (fixed clock, fixed disk writes); only restic's snapshot IDs vary.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { waitFor } from '../common/process';
import { shq } from '../common/shell-quote';
import { startFrontend, type FrontendInfo } from '../opennebula/frontend';
import { frontendPaths, type FrontendPaths } from '../opennebula/paths';
import { readConfig } from '../opennebula/config';
import { readDb } from '../opennebula/store/db';
import { addVmSchedAction, createVm, setBackupConfig } from '../opennebula/ops/create-vm';
import { forgetImage } from '../opennebula/ops/delete-image';
import { inBackup, LCM_STATE, VM_STATE } from '../opennebula/ops/states';
import { hold, isWaitingAt } from '../opennebula/ops/holds';
import { resticDs } from '../opennebula/driver/datastore-context';
import { sshScript, fail } from '../opennebula/driver/remote';
import { restic, resticEnv, repoPath } from '../opennebula/driver/restic-command';
import { cliRunner, type Cli } from './cli-runner';
import { leaveStaleExclusiveLock } from './stale-lock';
import { seedS3Datastore, type S3SeedReport } from './seed-s3';

const DAY = 86_400;
/** 2026-10-01 08:00:00 UTC: the seed's history starts here, one step per day or week. */
export const SEED_EPOCH = Date.UTC(2026, 9, 1, 8, 0, 0) / 1000;

export type SeedReport = {
  datastoreId: number;
  /** overdue: its daily scheduled backup has not run since its only backup; never: scheduled, never backed up. */
  vms: { web: number; db: number; app: number; ci: number; legacy: number; overdue: number; never: number };
  backupJobId: number;
  staleLockRepo: string;
  orphanSnapshot: { repo: string; snapshot: string };
  danglingImage: { imageId: number; snapshot: string };
  /** with `s3: true` only */
  s3?: S3SeedReport;
  seconds: number;
};

export type SeedOptions = {
  /**
   * Also the S3 restic datastore on the sandbox's S3 server (seed-s3.ts): a few more seconds and a
   * moto process, so the demo turns it on and tests ask for it. Re-seeded when the S3 server
   * restarted empty, even on an otherwise seeded state folder.
   */
  s3?: boolean;
};

const DS_TEMPLATE = (server: string, user: string) => `# Sandbox demo backup datastore (restic over SFTP)
NAME   = "RBackups"
TYPE   = "BACKUP_DS"
DS_MAD = "restic"
TM_MAD = "-"
RESTIC_PASSWORD    = "sandbox-restic-pw"
RESTIC_SFTP_SERVER = "${server}"
RESTIC_SFTP_USER   = "${user}"
RESTIC_COMPRESSION = "auto"
RESTIC_CONNECTIONS = "5"
`;

/** Daily at 02:00 UTC from the day after the seed's start: REPEAT 0 (weekly) on every day. */
const JOB_TEMPLATE = (vms: number[], firstRun: number) => `NAME = "nightly"
BACKUP_VMS = "${vms.join(',')}"
DATASTORE_ID = "100"
FS_FREEZE = "NONE"
KEEP_LAST = "3"
MODE = "FULL"
SCHED_ACTION = [ TIME = "${firstRun}", REPEAT = "0", DAYS = "0,1,2,3,4,5,6", END_TYPE = "0" ]
`;

async function backupAndWait(
  paths: FrontendPaths,
  cli: Cli,
  vmId: number,
  at: number,
  extra: string[] = [],
): Promise<void> {
  await cli('oneadmin', 'onevm', ['backup', String(vmId), '-d', '100', ...extra], at);
  await waitForIdle(paths, [vmId]);
}

async function waitForIdle(paths: FrontendPaths, vmIds: number[]): Promise<void> {
  const idle = () =>
    readDb(paths)
      .vms.filter((v) => vmIds.includes(v.id))
      .every((v) => !inBackup(v.lcmState));
  if (!(await waitFor(idle, 120_000, 100))) throw new Error(`VMs ${vmIds.join(',')} still in BACKUP after 120 s`);
  const failed = readDb(paths).vms.find((v) => vmIds.includes(v.id) && v.userTemplate.some((a) => a.name === 'ERROR'));
  if (failed) throw new Error(`backup of VM ${failed.id} failed: ${JSON.stringify(failed.userTemplate)}`);
}

/** `onebackupjob backup` at `at`, then waits until the job has drained and `vmIds` are idle again. */
async function runJob(paths: FrontendPaths, cli: Cli, bjId: number, vmIds: number[], at: number): Promise<void> {
  await cli('oneadmin', 'onebackupjob', ['backup', String(bjId)], at);
  const drained = () => {
    const j = readDb(paths).backupjobs.find((b) => b.id === bjId)!;
    return j.backingUpVms.length === 0 && j.outdatedVms.length === 0;
  };
  if (!(await waitFor(drained, 120_000, 100))) throw new Error(`Backup Job ${bjId} still running after 120 s`);
  await waitForIdle(paths, vmIds);
}

/**
 * Runs `work` while the powered-off VM `vmId` is being restored in place from its last backup (the
 * restore held at the driver until `work` is done), then waits for the VM to be back in POWEROFF.
 */
async function failWhileRestoring(
  paths: FrontendPaths,
  cli: Cli,
  vmId: number,
  at: number,
  work: () => Promise<void>,
): Promise<void> {
  const image = readDb(paths)
    .vms.find((v) => v.id === vmId)!
    .backupIds.at(-1)!;
  const release = hold(paths, 'restore-vm');
  try {
    await cli('oneadmin', 'onevm', ['restore', String(vmId), String(image)], at);
    if (!(await waitFor(() => isWaitingAt(paths, 'restore-vm'), 60_000, 50)))
      throw new Error(`the in-place restore of VM ${vmId} did not start`);
    await work();
  } finally {
    release();
  }
  const poweredOff = () => {
    const v = readDb(paths).vms.find((x) => x.id === vmId)!;
    return v.state === VM_STATE.POWEROFF && v.lcmState === LCM_STATE.LCM_INIT;
  };
  if (!(await waitFor(poweredOff, 120_000, 100))) throw new Error(`VM ${vmId} still restoring after 120 s`);
}

async function resticOnServer(
  paths: FrontendPaths,
  repoId: string,
  cmd: string,
  opts: Record<string, string | null> = {},
): Promise<string> {
  const db = readDb(paths);
  const ds = resticDs(
    paths,
    db.datastores.find((d) => d.id === 100)!,
  );
  const cfg = readConfig(paths);
  const r = await sshScript(
    paths,
    cfg.backupServer,
    `set -e -o pipefail\n${resticEnv(cfg.restic, ds)}\n${restic(ds, repoPath(ds, repoId), cmd, opts)}\n`,
  );
  if (r.code !== 0) throw fail(`restic ${cmd}`, r);
  return r.stdout;
}

/** Datastore 100 "RBackups" on the sandbox backup server, as the demo seed makes it first. */
async function createDemoDatastore(paths: FrontendPaths, cli: Cli): Promise<string> {
  const cfg = readConfig(paths);
  const tplDir = join(paths.one, 'seed');
  mkdirSync(tplDir, { recursive: true });
  writeFileSync(join(tplDir, 'rbackups.tpl'), DS_TEMPLATE(cfg.backupServer, cfg.account.name));
  await cli('oneadmin', 'onedatastore', ['create', join(tplDir, 'rbackups.tpl')], SEED_EPOCH - 7 * DAY);
  return tplDir;
}

/**
 * Only the demo's datastore, no VMs and no backups: for a test that needs a restic datastore to
 * show, not its history (the release archive's), at a fraction of the seed's restic work.
 */
export async function seedDemoDatastore(stateDir: string): Promise<{ datastoreId: number }> {
  const info: FrontendInfo = await startFrontend(stateDir);
  const paths = frontendPaths(stateDir);
  if (!readDb(paths).datastores.some((d) => d.id === 100)) await createDemoDatastore(paths, cliRunner(info));
  return { datastoreId: 100 };
}

/**
 * Seeds a front-end's state folder (starting it when needed); a seeded folder is left as it is
 * (but for the S3 part, which an S3 server restart empties).
 */
export async function seedDemoCloud(stateDir: string, opts: SeedOptions = {}): Promise<SeedReport | undefined> {
  const started = Date.now();
  const info: FrontendInfo = await startFrontend(stateDir);
  const paths = frontendPaths(stateDir);
  if (readDb(paths).datastores.some((d) => d.id === 100)) {
    if (opts.s3) await seedS3Datastore(stateDir, SEED_EPOCH);
    return undefined;
  }
  const cli = cliRunner(info);
  const cfg = readConfig(paths);
  const tplDir = await createDemoDatastore(paths, cli);

  const vm = {
    web: await createVm(paths, { name: 'web-frontend', uid: 0, disksMb: [32] }),
    db: await createVm(paths, { name: 'db-primary', uid: 2, disksMb: [32, 16] }),
    app: await createVm(paths, { name: 'app-worker', uid: 3, disksMb: [24] }),
    ci: await createVm(paths, { name: 'ci-runner', uid: 2, disksMb: [24], poweroff: true }),
    legacy: await createVm(paths, { name: 'legacy-erp', uid: 0, disksMb: [16] }),
  };
  setBackupConfig(paths, vm.web, { MODE: 'FULL', KEEP_LAST: '2' });
  setBackupConfig(paths, vm.db, { MODE: 'INCREMENT', KEEP_LAST: '3', INCREMENT_MODE: 'SNAPSHOT' });

  // Three histories at once (separate repositories), each in date order.
  const fullChain = async () => {
    for (const d of [0, 7, 14]) await backupAndWait(paths, cli, vm.web, SEED_EPOCH + d * DAY);
  };
  const incrementChain = async () => {
    for (let d = 1; d <= 5; d++) await backupAndWait(paths, cli, vm.db, SEED_EPOCH + d * DAY + 3600);
    // A new chain after --reset keeps the old one as its own image.
    await backupAndWait(paths, cli, vm.db, SEED_EPOCH + 20 * DAY, ['--reset']);
    await backupAndWait(paths, cli, vm.db, SEED_EPOCH + 21 * DAY);
  };
  const legacy = async () => {
    for (const d of [2, 9, 16, 23]) await backupAndWait(paths, cli, vm.legacy, SEED_EPOCH + d * DAY + 7200);
  };
  await Promise.all([fullChain(), incrementChain(), legacy()]);

  writeFileSync(join(tplDir, 'nightly.tpl'), JOB_TEMPLATE([vm.app, vm.ci], SEED_EPOCH - 6 * 3600 + DAY));
  const bjId = Number(
    (await cli('oneadmin', 'onebackupjob', ['create', join(tplDir, 'nightly.tpl')], SEED_EPOCH)).replace(/\D/g, ''),
  );
  await runJob(paths, cli, bjId, [vm.app, vm.ci], SEED_EPOCH + 10 * DAY + 1800);
  // The last run finds ci-runner busy: it is being restored in place (from its own last backup), so
  // oned cannot start its backup and lists it in ERROR_VMS with the job's ERROR; app-worker is backed
  // up. The restore then ends and the VM is back in POWEROFF, so "Retry failed" can back it up.
  const lastRun = SEED_EPOCH + 17 * DAY + 1800;
  await failWhileRestoring(paths, cli, vm.ci, lastRun - 600, () => runJob(paths, cli, bjId, [vm.app], lastRun));

  // Broken on purpose. (1) A dangling image: its snapshot forgotten behind OpenNebula's back.
  const legacyImages = readDb(paths)
    .images.filter((i) => i.vms.includes(vm.legacy))
    .sort((a, b) => a.id - b.id);
  const dangling = legacyImages[0]!;
  await resticOnServer(paths, String(vm.legacy), `forget ${shq(dangling.source)}`);
  // (2) An orphan snapshot: an image record lost without its snapshot (an interrupted deletion).
  const orphan = legacyImages[1]!;
  forgetImage(paths, orphan.id);
  // (3) A stale exclusive lock from a restic killed with -9, in the same repository.
  const ds = readDb(paths).datastores.find((d) => d.id === 100)!;
  const repo = posix.join(posix.normalize(ds.basePath), String(vm.legacy));
  await leaveStaleExclusiveLock(cfg, repo, resticDs(paths, ds).password, paths.one, join(paths.logDir, 'seed.log'));

  // VMs that should be protected and are not (created last, so every ID above stays as it was).
  // (4) Overdue: one backup, then a daily scheduled backup to datastore 100 that never ran (oned's
  // scheduler held back, e.g. by MAX_BACKUPS): TIME stays in the past, not DONE.
  const overdue = await createVm(paths, { name: 'reports-db', uid: 0, disksMb: [16] });
  setBackupConfig(paths, overdue, { MODE: 'FULL', KEEP_LAST: '3' });
  await backupAndWait(paths, cli, overdue, SEED_EPOCH + 3 * DAY);
  addVmSchedAction(paths, overdue, {
    ACTION: 'backup',
    ARGS: '100,0',
    TIME: String(SEED_EPOCH + 4 * DAY),
    REPEAT: '0',
    DAYS: '0,1,2,3,4,5,6',
    END_TYPE: '0',
  });
  // (5) Never backed up: INCREMENT mode and a weekly scheduled backup to datastore 100, no backup yet.
  const never = await createVm(paths, { name: 'reports-archive', uid: 0, disksMb: [16] });
  setBackupConfig(paths, never, { MODE: 'INCREMENT', INCREMENT_MODE: 'CBT', KEEP_LAST: '7', FS_FREEZE: 'AGENT' });
  addVmSchedAction(paths, never, {
    ACTION: 'backup',
    ARGS: '100',
    TIME: String(SEED_EPOCH + 27 * DAY),
    REPEAT: '0',
    DAYS: '0',
    END_TYPE: '0',
  });

  // Last, so every ID above is the same with or without it.
  const s3 = opts.s3 ? await seedS3Datastore(stateDir, SEED_EPOCH) : undefined;

  return {
    datastoreId: 100,
    ...(s3 ? { s3 } : {}),
    vms: { ...vm, overdue, never },
    backupJobId: bjId,
    staleLockRepo: repo,
    orphanSnapshot: { repo, snapshot: orphan.source },
    danglingImage: { imageId: dangling.id, snapshot: dangling.source },
    seconds: Math.round((Date.now() - started) / 100) / 10,
  };
}
