// Backup Jobs as each person sees and runs them, against the OpenNebula front-end simulator: a VM
// owner sees and runs her own job (OpenNebula's ACLs decide, through her own identity) and gets
// "not found" for oneadmin's, which nothing then changes; Cancel wants the job's name typed.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@/sandbox/common/process';
import { createVm } from '@/sandbox/opennebula/ops/create-vm';
import { hold, isWaitingAt } from '@/sandbox/opennebula/ops/holds';
import { frontendPaths } from '@/sandbox/opennebula/paths';
import { readDb, withDb } from '@/sandbox/opennebula/store/db';
import { one as cli } from '@/sandbox/opennebula/test-support';
import { getBackupJob, type OneCredential } from '@/lib/opennebula';
import {
  resticDatastoreTemplate,
  startBackstoneWorld,
  stopBackstoneWorld,
  type BackstoneWorld,
} from '@/scripts/test-support/backstone-world';
import { backupJobDetail, BackupJobNotFound, BackupJobRefused, listSeenBackupJobs, operateBackupJob } from './index';

const ADMIN = { credential: { kind: 'user', username: 'oneadmin', secret: 'sandbox-oneadmin' } as OneCredential };
const ALICE = { credential: { kind: 'user', username: 'alice', secret: 'sandbox-alice' } as OneCredential };
const SERVICE: OneCredential = { kind: 'service' };
const DS = 100;

let world: BackstoneWorld | undefined;
const job = { admins: -1, alices: -1 };
const vm = { admin: -1, alice: -1 };

async function createJob(name: string, vmId: number): Promise<number> {
  const tpl = join(world!.stateDir, `${name}.tpl`);
  writeFileSync(tpl, `NAME = "${name}"\nBACKUP_VMS = "${vmId}"\nDATASTORE_ID = "${DS}"\nMODE = "FULL"\n`);
  const r = await cli(world!.info, 'oneadmin', 'onebackupjob', 'create', tpl);
  expect(r.code, r.stderr).toBe(0);
  return Number(r.stdout.replace(/\D/g, ''));
}

const drained = async (id: number) => {
  const j = await getBackupJob(SERVICE, id);
  return j.outdatedVms.length === 0 && j.backingUpVms.length === 0;
};

beforeAll(async () => {
  world = await startBackstoneWorld('bj-owners', { BACKSTONE_ONE_READ_CACHE_SECONDS: '0' });
  const paths = frontendPaths(world.stateDir);
  const dsTpl = join(world.stateDir, 'ds.tpl');
  writeFileSync(dsTpl, resticDatastoreTemplate(world, { name: 'RBackups', password: 'bj-pw' }));
  expect((await cli(world.info, 'oneadmin', 'onedatastore', 'create', dsTpl)).code).toBe(0);
  vm.admin = await createVm(paths, { name: 'admins-vm', uid: 0, disksMb: [8] });
  vm.alice = await createVm(paths, { name: 'alices-vm', uid: 2, disksMb: [8] });
  job.admins = await createJob('admins-job', vm.admin);
  job.alices = await createJob('alices-job', vm.alice);
  // As `onebackupjob chown` would leave it (the simulator lets only oneadmin create jobs).
  withDb(paths, (db) => {
    const j = db.backupjobs.find((x) => x.id === job.alices)!;
    j.uid = 2;
    j.gid = 1;
  });
}, 170_000);

afterAll(async () => {
  await stopBackstoneWorld(world);
});

describe('Backup Jobs as each person sees them', () => {
  it('an owner sees her own job only; an admin sees every job', async () => {
    expect((await listSeenBackupJobs(ALICE)).map((r) => r.job.name)).toEqual(['alices-job']);
    expect((await listSeenBackupJobs(ADMIN)).map((r) => r.job.name).sort()).toEqual(['admins-job', 'alices-job']);
    const mine = await backupJobDetail(ALICE, job.alices);
    expect(mine?.status).toBe('never');
    expect(mine?.datastore).toEqual({ id: DS, name: 'RBackups' });
    expect([...(mine?.vms.keys() ?? [])]).toEqual([vm.alice]);
    expect(await backupJobDetail(ALICE, job.admins)).toBeUndefined();
    expect(await backupJobDetail(ALICE, 9999)).toBeUndefined();
  });

  it('an owner runs her own job; another owner’s job is "not found" and unchanged', async () => {
    const before = await getBackupJob(SERVICE, job.admins);
    for (const verb of ['run', 'retry', 'cancel'] as const) {
      await expect(operateBackupJob(ALICE, verb, job.admins, 'admins-job')).rejects.toBeInstanceOf(BackupJobNotFound);
    }
    expect(await getBackupJob(SERVICE, job.admins)).toEqual(before);

    await operateBackupJob(ALICE, 'run', job.alices);
    expect(await waitFor(() => drained(job.alices), 120_000, 100)).toBe(true);
    const after = await getBackupJob(SERVICE, job.alices);
    expect(after.updatedVms).toEqual([vm.alice]);
    expect(after.lastBackupTime).toBeGreaterThan(0);
    // Nothing failed: nothing to retry, and nothing runs: nothing to cancel.
    await expect(operateBackupJob(ALICE, 'retry', job.alices)).rejects.toBeInstanceOf(BackupJobRefused);
    await expect(operateBackupJob(ALICE, 'cancel', job.alices, 'alices-job')).rejects.toBeInstanceOf(BackupJobRefused);
  });

  it('cancel needs the job name typed; then it stops the run', async () => {
    const paths = frontendPaths(world!.stateDir);
    const release = hold(paths, 'backup');
    try {
      await operateBackupJob(ADMIN, 'run', job.admins);
      expect(await waitFor(() => isWaitingAt(paths, 'backup'), 60_000, 50)).toBe(true);
      for (const typed of [undefined, '', 'admins', 'ADMINS-JOB']) {
        const e = await operateBackupJob(ADMIN, 'cancel', job.admins, typed).catch((x: unknown) => x);
        expect(e).toBeInstanceOf(BackupJobRefused);
        expect(e).toMatchObject({ kind: 'invalid-input' });
      }
      expect((await getBackupJob(SERVICE, job.admins)).backingUpVms).toEqual([vm.admin]);
      await operateBackupJob(ADMIN, 'cancel', job.admins, 'admins-job');
      expect((await getBackupJob(SERVICE, job.admins)).backingUpVms).toEqual([]);
    } finally {
      release();
    }
    const failed = async () => (await getBackupJob(SERVICE, job.admins)).errorVms.includes(vm.admin);
    expect(await waitFor(failed, 120_000, 100)).toBe(true);
    expect(await waitFor(() => readDb(paths).vms.every((v) => v.lcmState === 3), 120_000, 100)).toBe(true);
    // Now Retry applies, as the detail page offers it.
    await operateBackupJob(ADMIN, 'retry', job.admins);
    expect(await waitFor(() => drained(job.admins), 120_000, 100)).toBe(true);
    expect((await getBackupJob(SERVICE, job.admins)).updatedVms).toEqual([vm.admin]);
  });
});
