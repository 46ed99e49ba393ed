// The Backup Job run verbs (backup, retry, cancel) through the real process boundary against the
// OpenNebula front-end simulator, in a small world of its own (no seed): a job of two VMs on a
// restic datastore. Refusals come back typed, with OpenNebula's own reason, and change nothing.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@/sandbox/common/process';
import { createVm } from '@/sandbox/opennebula/ops/create-vm';
import { hold, isWaitingAt } from '@/sandbox/opennebula/ops/holds';
import { frontendPaths } from '@/sandbox/opennebula/paths';
import { one as cli } from '@/sandbox/opennebula/test-support';
import {
  resticDatastoreTemplate,
  startBackstoneWorld,
  stopBackstoneWorld,
  type BackstoneWorld,
} from '@/scripts/test-support/backstone-world';
import {
  cancelBackupJob,
  getBackupJob,
  retryBackupJob,
  runBackupJob,
  type BackupJob,
  type OneCredential,
  OneCliError,
  OneNotAuthorized,
  OneNotFound,
} from './index';

const SERVICE: OneCredential = { kind: 'service' };
const ALICE: OneCredential = { kind: 'user', username: 'alice', secret: 'sandbox-alice' };
const DS = 100;

let world: BackstoneWorld | undefined;
let jobId = -1;
const vm = { a: -1, b: -1 };

async function ok(account: string, command: string, ...args: string[]): Promise<string> {
  const r = await cli(world!.info, account, command, ...args);
  expect(r.code, `${command} ${args.join(' ')}: ${r.stderr}${r.stdout}`).toBe(0);
  return r.stdout;
}

/** The job as oneadmin sees it once `done` holds (polled, bounded). */
async function jobWhen(done: (j: BackupJob) => boolean, ms = 120_000): Promise<BackupJob> {
  let job: BackupJob | undefined;
  const held = await waitFor(
    async () => {
      job = await getBackupJob(SERVICE, jobId);
      return done(job);
    },
    ms,
    100,
  );
  expect(held, JSON.stringify(job)).toBe(true);
  return job!;
}

const drained = (j: BackupJob) => j.outdatedVms.length === 0 && j.backingUpVms.length === 0;

beforeAll(async () => {
  world = await startBackstoneWorld('bj-verbs', { BACKSTONE_ONE_READ_CACHE_SECONDS: '0' });
  const paths = frontendPaths(world.stateDir);
  const dsTpl = join(world.stateDir, 'ds.tpl');
  writeFileSync(dsTpl, resticDatastoreTemplate(world, { name: 'RBackups', password: 'bj-pw' }));
  expect((await ok('oneadmin', 'onedatastore', 'create', dsTpl)).trim()).toBe(`ID: ${DS}`);
  vm.a = await createVm(paths, { name: 'a', uid: 0, disksMb: [8] });
  vm.b = await createVm(paths, { name: 'b', uid: 0, disksMb: [8] });
  const jobTpl = join(world.stateDir, 'job.tpl');
  writeFileSync(jobTpl, `NAME = "pair"\nBACKUP_VMS = "${vm.a},${vm.b}"\nDATASTORE_ID = "${DS}"\nMODE = "FULL"\n`);
  jobId = Number((await ok('oneadmin', 'onebackupjob', 'create', jobTpl)).replace(/\D/g, ''));
}, 170_000);

afterAll(async () => {
  await stopBackstoneWorld(world);
});

describe('Backup Job run verbs', () => {
  it('run now backs every VM of the job up and sets LAST_BACKUP_TIME', async () => {
    const before = await getBackupJob(SERVICE, jobId);
    expect(before.lastBackupTime).toBe(0);
    await runBackupJob(SERVICE, jobId);
    const after = await jobWhen((j) => drained(j) && j.updatedVms.length === 2);
    expect(after.lastBackupTime).toBeGreaterThan(0);
    expect(after.updatedVms).toEqual([vm.a, vm.b]);
    expect(after.errorVms).toEqual([]);
  });

  it('refusals carry OpenNebula reason and change nothing; cancel stops the run, retry backs the failed VM up', async () => {
    const paths = frontendPaths(world!.stateDir);
    const release = hold(paths, 'backup');
    try {
      await runBackupJob(SERVICE, jobId);
      expect(await waitFor(() => isWaitingAt(paths, 'backup'), 60_000, 50)).toBe(true);
      const running = await getBackupJob(SERVICE, jobId);
      expect([running.backingUpVms, running.outdatedVms]).toEqual([[vm.a], [vm.b]]);

      const pending = await runBackupJob(SERVICE, jobId).catch((e: unknown) => e);
      expect(pending).toBeInstanceOf(OneCliError);
      expect(pending).toMatchObject({
        message: 'Unable to execute Backup Job, pending backups in progress',
        method: 'one.backupjob.backup',
      });

      // alice may not MANAGE oneadmin's job: refused as "not found" would be, and nothing changes.
      for (const verb of [runBackupJob, retryBackupJob, cancelBackupJob]) {
        const e = await verb(ALICE, jobId).catch((x: unknown) => x);
        expect(e).toBeInstanceOf(OneNotAuthorized);
        expect(e).toMatchObject({ kind: 'forbidden' });
      }
      expect(await getBackupJob(SERVICE, jobId)).toEqual(running);

      await cancelBackupJob(SERVICE, jobId);
      const canceled = await getBackupJob(SERVICE, jobId);
      expect([canceled.backingUpVms, canceled.outdatedVms]).toEqual([[], []]);
    } finally {
      release();
    }
    // The backup that was running fails through the cancel; the VM lands in ERROR_VMS.
    const failed = await jobWhen((j) => j.errorVms.includes(vm.a));
    expect(failed.updatedVms).toEqual([]);

    await retryBackupJob(SERVICE, jobId);
    const retried = await jobWhen((j) => drained(j) && j.updatedVms.includes(vm.a));
    expect(retried.errorVms).toEqual([]);
    expect(retried.error).toBeUndefined();
  });

  it('a job that does not exist is a typed "not found"; a bad ID never reaches the CLI', async () => {
    for (const verb of [runBackupJob, retryBackupJob, cancelBackupJob]) {
      const e = await verb(SERVICE, 99).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(OneNotFound);
      expect(e).toMatchObject({ objectType: 'backup job', objectId: 99 });
      await expect(verb(SERVICE, -1)).rejects.toThrow(RangeError);
    }
  });
});
