// One sandbox world (a real backup server and the OpenNebula front-end simulator) with Backstone's
// configuration pointed at it, for the integration tests that drive lib/ against real parts: made
// in beforeAll, stopped by PID and removed in afterAll. Each test file gets its own folders.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'vitest';
import { readInfo, type BackupServerInfo } from '@/sandbox/common/info';
import { waitFor } from '@/sandbox/common/process';
import { sandboxPaths } from '@/sandbox/common/state';
import { startFrontend, type FrontendInfo } from '@/sandbox/opennebula/frontend';
import { createVm } from '@/sandbox/opennebula/ops/create-vm';
import { inBackup } from '@/sandbox/opennebula/ops/states';
import { frontendPaths } from '@/sandbox/opennebula/paths';
import { readDb } from '@/sandbox/opennebula/store/db';
import { cliRunner } from '@/sandbox/seed/cli-runner';
import { stopSandbox } from '@/sandbox/status';
import { resetConfigCache } from '@/lib/config';
import { closeSshConnections } from '@/lib/exec';
import type { Reader } from '@/lib/catalog';
import type { Job, JobReader } from '@/lib/jobs';

/** The sandbox's oneadmin, signed in with the demo password the front-end simulator gives every sandbox. */
export const SANDBOX_ADMIN: Reader = {
  username: 'oneadmin',
  isAdmin: true,
  credential: { kind: 'user', username: 'oneadmin', secret: 'sandbox-oneadmin' },
};

export type BackstoneWorld = {
  stateDir: string;
  dataDir: string;
  info: FrontendInfo;
  server: BackupServerInfo;
};

/**
 * Starts the sandbox in fresh folders named after `name` and points Backstone's configuration at
 * it (as the service identity oneadmin, the CLI run locally). `env` sets or (undefined) clears
 * further variables for this test file, e.g. a short download idle bound.
 */
export async function startBackstoneWorld(
  name: string,
  env: Record<string, string | undefined> = {},
): Promise<BackstoneWorld> {
  const stateDir = mkdtempSync(join(tmpdir(), `backstone-${name}-`));
  chmodSync(stateDir, 0o755);
  const dataDir = mkdtempSync(join(tmpdir(), `backstone-${name}-data-`));
  const info = await startFrontend(stateDir);
  const server = readInfo(sandboxPaths(stateDir)).backupServer!;
  const vars: Record<string, string | undefined> = {
    BACKSTONE_DATA_DIR: dataDir,
    BACKSTONE_ONE_AUTH: info.accounts.find((a) => a.name === 'oneadmin')!.oneAuth,
    BACKSTONE_SSH_CONFIG: server.sshConfig,
    BACKSTONE_SSH_IDENTITY: server.identity,
    BACKSTONE_SSH_KNOWN_HOSTS: server.knownHosts,
    BACKSTONE_REMOTE_ROOT: server.root,
    BACKSTONE_ONE_CLI_DIR: info.commandDir,
    BACKSTONE_ONE_SSH_HOST: undefined,
    ...env,
  };
  for (const [k, v] of Object.entries(vars)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  resetConfigCache();
  return { stateDir, dataDir, info, server };
}

/** Closes Backstone's SSH connections, stops the sandbox by PID and removes both folders. */
export async function stopBackstoneWorld(world: Partial<BackstoneWorld> | undefined): Promise<void> {
  await closeSshConnections();
  if (world?.stateDir) {
    await stopSandbox(world.stateDir);
    rmSync(world.stateDir, { recursive: true, force: true });
  }
  if (world?.dataDir) rmSync(world.dataDir, { recursive: true, force: true });
}

/** Waits (bounded, polling) until the job has ended, as `viewer` sees it, and returns it. */
export async function jobEnded(viewer: JobReader, id: number, ms: number): Promise<Job> {
  // Loaded here, not with the world: lib/jobs and what it imports were ~0.7 s of every test file's
  // import, and most files that start a world run no job.
  const { FINISHED, visibleJob } = await import('@/lib/jobs');
  let job: Job | undefined;
  const ok = await waitFor(
    () => {
      job = visibleJob(viewer, id);
      return job !== undefined && FINISHED.includes(job.status);
    },
    ms,
    100,
  );
  expect(ok, `job ${id} still ${job?.status} after ${ms} ms`).toBe(true);
  return job!;
}

/**
 * The template of a restic backup datastore on the world's backup server, as an admin writes it
 * for `onedatastore create` (the password quoted for OpenNebula's template syntax).
 */
export function resticDatastoreTemplate(
  world: Pick<BackstoneWorld, 'server'>,
  opts: { name: string; password: string; tmpDir?: string },
): string {
  const lines = [
    `NAME = "${opts.name}"`,
    'TYPE = "BACKUP_DS"',
    'DS_MAD = "restic"',
    'TM_MAD = "-"',
    `RESTIC_PASSWORD = "${opts.password.replace(/["\\]/g, '\\$&')}"`,
    `RESTIC_SFTP_SERVER = "${world.server.name}"`,
    `RESTIC_SFTP_USER = "${world.server.account}"`,
  ];
  if (opts.tmpDir !== undefined) lines.push(`RESTIC_TMP_DIR = "${opts.tmpDir}"`);
  return `${lines.join('\n')}\n`;
}

export type BackedUpDatastore = {
  dsId: number;
  /** The VMs, in the order of `vmNames`, each backed up once into the datastore. */
  vms: number[];
  /** No VM of `vms` is being backed up now. */
  idle: () => boolean;
};

/**
 * A restic datastore on the world's backup server, created by oneadmin with `onedatastore create`,
 * and one VM per name (one 8 MiB disk, oneadmin's) backed up into it once with `onevm backup`: the
 * repositories the alert, lock-watch and schedule tests act on.
 */
export async function backedUpDatastore(
  world: BackstoneWorld,
  opts: { name: string; password: string; vmNames: readonly string[] },
): Promise<BackedUpDatastore> {
  const paths = frontendPaths(world.stateDir);
  const cli = cliRunner(world.info);
  const file = join(world.stateDir, `${opts.name}.tpl`);
  writeFileSync(file, resticDatastoreTemplate(world, opts), { mode: 0o600 });
  const dsId = Number((await cli('oneadmin', 'onedatastore', ['create', file])).replace(/\D/g, ''));
  const vms: number[] = [];
  for (const name of opts.vmNames) vms.push(await createVm(paths, { name, uid: 0, disksMb: [8] }));
  const idle = () =>
    readDb(paths)
      .vms.filter((v) => vms.includes(v.id))
      .every((v) => !inBackup(v.lcmState));
  for (const id of vms) {
    await cli('oneadmin', 'onevm', ['backup', String(id), '-d', String(dsId)]);
    expect(await waitFor(idle, 120_000, 100)).toBe(true);
  }
  return { dsId, vms, idle };
}
