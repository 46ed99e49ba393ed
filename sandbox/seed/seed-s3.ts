// The demo's S3 restic datastore (OpenNebula 7.4, RESTIC_BACKEND = "S3") on the sandbox's S3 server:
// "RBackups-S3" (the next free datastore ID) in bucket one-backups, two VMs backed up into it
// (s3-web: two FULL backups, s3-app of alice: one) and a stale exclusive lock in s3-web's repository.
// moto keeps its buckets in memory only, so after the S3 server restarts (a new port and a new
// key) this notices the empty server, points the datastore at the new endpoint and key (as an admin
// would with `onedatastore update`), drops the backup images whose snapshots are gone, and backs
// the same VMs up again. IDs of the datastore and VMs stay; backup image IDs are new.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '../common/process';
import { ensureSandboxS3, type SandboxS3Info } from '../s3-server/component';
import { startFrontend } from '../opennebula/frontend';
import { frontendPaths, type FrontendPaths } from '../opennebula/paths';
import { readConfig } from '../opennebula/config';
import { encrypt } from '../opennebula/crypto';
import { readDb, withDb } from '../opennebula/store/db';
import { createVm, setBackupConfig } from '../opennebula/ops/create-vm';
import { forgetImage } from '../opennebula/ops/delete-image';
import { inBackup } from '../opennebula/ops/states';
import { refreshDatastore } from '../opennebula/ops/monitor-datastores';
import { setValue } from '../opennebula/template/template';
import { cliRunner, type Cli } from './cli-runner';
import { leaveStaleExclusiveLockS3 } from './stale-lock';

export const S3_DS_NAME = 'RBackups-S3';
export const S3_BUCKET = 'one-backups';
const S3_PASSWORD = 'sandbox-restic-s3-pw';
const DAY = 86_400;

export type S3SeedReport = {
  datastoreId: number;
  vms: { web: number; app: number };
  /** the s3: URL of the repository holding the stale lock */
  staleLockRepo: string;
  /** false when the datastore and its backups were already there */
  seeded: boolean;
};

const S3_TEMPLATE = (s3: SandboxS3Info) => `# Sandbox demo backup datastore (restic on S3, OpenNebula 7.4)
NAME   = "${S3_DS_NAME}"
TYPE   = "BACKUP_DS"
DS_MAD = "restic"
TM_MAD = "-"
RESTIC_BACKEND              = "S3"
RESTIC_PASSWORD             = "${S3_PASSWORD}"
RESTIC_S3_ENDPOINT          = "${s3.endpoint}"
RESTIC_S3_BUCKET            = "${S3_BUCKET}"
RESTIC_S3_ACCESS_KEY_ID     = "${s3.accessKeyId}"
RESTIC_S3_SECRET_ACCESS_KEY = "${s3.secretAccessKey}"
RESTIC_S3_REGION            = "${s3.region}"
RESTIC_S3_FORCE_PATH_STYLE  = "YES"
TOTAL_MB                    = "512000"
`;

/** The S3 server restarted empty: the datastore follows its new endpoint and key, its images go. */
function repoint(paths: FrontendPaths, dsId: number, s3: SandboxS3Info): void {
  withDb(paths, (db) => {
    const ds = db.datastores.find((d) => d.id === dsId)!;
    let t = setValue(ds.template, 'RESTIC_S3_ENDPOINT', s3.endpoint);
    t = setValue(t, 'RESTIC_S3_ACCESS_KEY_ID', s3.accessKeyId);
    ds.template = setValue(t, 'RESTIC_S3_SECRET_ACCESS_KEY', encrypt(paths, s3.secretAccessKey));
  });
  for (const img of readDb(paths).images.filter((i) => i.datastoreId === dsId)) forgetImage(paths, img.id);
}

async function vmNamed(paths: FrontendPaths, name: string, uid: number): Promise<number> {
  const found = readDb(paths).vms.find((v) => v.name === name);
  return found ? found.id : createVm(paths, { name, uid, disksMb: [16] });
}

async function backupAndWait(paths: FrontendPaths, cli: Cli, vmId: number, dsId: number, at: number): Promise<void> {
  await cli('oneadmin', 'onevm', ['backup', String(vmId), '-d', String(dsId)], at);
  const idle = () => !inBackup(readDb(paths).vms.find((v) => v.id === vmId)!.lcmState);
  if (!(await waitFor(idle, 120_000, 100))) throw new Error(`VM ${vmId} still in BACKUP after 120 s`);
  const vm = readDb(paths).vms.find((v) => v.id === vmId)!;
  const error = vm.userTemplate.find((a) => a.name === 'ERROR');
  if (error) throw new Error(`backup of VM ${vmId} to S3 failed: ${JSON.stringify(error)}`);
}

/**
 * Seeds (or, after an S3 server restart, re-seeds) the S3 part of the demo cloud, starting the
 * front-end and the S3 server when needed. `epoch` pins the backups' clock (the demo seed's).
 */
export async function seedS3Datastore(stateDir: string, epoch: number): Promise<S3SeedReport> {
  const info = await startFrontend(stateDir);
  const paths = frontendPaths(stateDir);
  const { info: s3, fresh } = await ensureSandboxS3(stateDir);
  const cli = cliRunner(info);
  const cfg = readConfig(paths);
  let ds = readDb(paths).datastores.find((d) => d.name === S3_DS_NAME);
  const vms = { web: await vmNamed(paths, 's3-web', 0), app: await vmNamed(paths, 's3-app', 2) };
  const staleLockRepo = `s3:${s3.endpoint}/${S3_BUCKET}/${vms.web}`;
  if (ds && !fresh) return { datastoreId: ds.id, vms, staleLockRepo, seeded: false };
  if (ds) repoint(paths, ds.id, s3);
  else {
    const tplDir = join(paths.one, 'seed');
    mkdirSync(tplDir, { recursive: true });
    writeFileSync(join(tplDir, 'rbackups-s3.tpl'), S3_TEMPLATE(s3), { mode: 0o600 });
    await cli('oneadmin', 'onedatastore', ['create', join(tplDir, 'rbackups-s3.tpl')], epoch - 7 * DAY);
    ds = readDb(paths).datastores.find((d) => d.name === S3_DS_NAME)!;
  }
  const dsId = ds.id;
  setBackupConfig(paths, vms.web, { MODE: 'FULL', KEEP_LAST: '3' });
  setBackupConfig(paths, vms.app, { MODE: 'FULL' });
  await Promise.all([
    (async () => {
      for (const d of [1, 8]) await backupAndWait(paths, cli, vms.web, dsId, epoch + d * DAY + 5400);
    })(),
    backupAndWait(paths, cli, vms.app, dsId, epoch + 9 * DAY + 5400),
  ]);
  const aws = {
    AWS_ACCESS_KEY_ID: s3.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
    AWS_DEFAULT_REGION: s3.region,
  };
  await leaveStaleExclusiveLockS3(cfg, staleLockRepo, aws, S3_PASSWORD, paths.one, join(paths.logDir, 'seed.log'));
  await refreshDatastore(paths, dsId);
  return { datastoreId: dsId, vms, staleLockRepo, seeded: true };
}
