// The VM write verbs against the OpenNebula simulator through the real process boundary: Back up
// now on a running and a powered-off VM, oned's refusals in its own words (typed), power off and
// in-place restore through RESTORE, and updateconf of BACKUP_CONFIG in append mode (the VM's other
// sections kept). A small world of its own (no seed): one restic datastore, three VMs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '@/sandbox/common/process';
import { createVm } from '@/sandbox/opennebula/ops/create-vm';
import { frontendPaths } from '@/sandbox/opennebula/paths';
import { readDb } from '@/sandbox/opennebula/store/db';
import {
  resticDatastoreTemplate,
  startBackstoneWorld,
  stopBackstoneWorld,
  type BackstoneWorld,
} from '@/scripts/test-support/backstone-world';
import * as one from './index';

const ADMIN: one.OneCredential = { kind: 'user', username: 'oneadmin', secret: 'sandbox-oneadmin' };
const ALICE: one.OneCredential = { kind: 'user', username: 'alice', secret: 'sandbox-alice' };
const BOB: one.OneCredential = { kind: 'user', username: 'bob', secret: 'sandbox-bob' };

let world: BackstoneWorld | undefined;
let ds = -1;
const vm = { running: -1, off: -1, bobs: -1 };

/** The VM's states as the simulator stores them (no read cache in between). */
const states = (id: number) => {
  const v = readDb(frontendPaths(world!.stateDir)).vms.find((x) => x.id === id)!;
  return `${v.state},${v.lcmState}`;
};
const settled = (id: number, want: string) => waitFor(() => states(id) === want, 120_000, 100);

beforeAll(async () => {
  world = await startBackstoneWorld('vm-actions', { BACKSTONE_ONE_READ_CACHE_SECONDS: '0' });
  ds = await one.createDatastore(
    ADMIN,
    resticDatastoreTemplate(world, { name: 'RBackups', password: 'vm-actions-pw' }),
  );
  const paths = frontendPaths(world.stateDir);
  vm.running = await createVm(paths, { name: 'running', uid: 0, disksMb: [8] });
  vm.off = await createVm(paths, {
    name: 'off',
    uid: 0,
    disksMb: [8],
    poweroff: true,
    backupConfig: { MODE: 'INCREMENT', INCREMENT_MODE: 'SNAPSHOT' },
  });
  vm.bobs = await createVm(paths, { name: 'bobs', uid: 3, disksMb: [8] });
}, 170_000);

afterAll(async () => {
  if (world) {
    const db = () => readDb(frontendPaths(world!.stateDir));
    await waitFor(() => db().vms.every((v) => ![69, 70, 71].includes(v.lcmState)), 60_000, 100);
  }
  await stopBackstoneWorld(world);
});

describe('Back up now', () => {
  it('a running VM passes through BACKUP and gains a backup image', async () => {
    await one.backupVm(ADMIN, vm.running, ds);
    expect(['3,69', '3,3']).toContain(states(vm.running));
    expect(await settled(vm.running, '3,3')).toBe(true);
    const v = await one.getVm(ADMIN, vm.running);
    expect(v.backups.backupIds).toHaveLength(1);
    const img = await one.getImage(ADMIN, v.backups.backupIds[0]!);
    expect(img).toMatchObject({ type: 'BACKUP', datastoreId: ds, vmIds: [vm.running] });
  });

  it('a powered-off incremental VM: BACKUP_POWEROFF, then an increment; --reset starts a new chain', async () => {
    await one.backupVm(ADMIN, vm.off, ds);
    expect(await settled(vm.off, '8,0')).toBe(true);
    await one.backupVm(ADMIN, vm.off, ds);
    expect(await settled(vm.off, '8,0')).toBe(true);
    const first = (await one.getVm(ADMIN, vm.off)).backups;
    expect(first.backupIds).toHaveLength(1);
    expect(first.config.lastIncrementId).toBe(1);
    await one.backupVm(ADMIN, vm.off, ds, { reset: true });
    expect(await settled(vm.off, '8,0')).toBe(true);
    const after = (await one.getVm(ADMIN, vm.off)).backups;
    expect(after.backupIds).toHaveLength(2);
    expect(after.config.incrementalBackupId).toBe(after.backupIds[1]);
  });

  it("is refused in oned's words, typed, and nothing changes", async () => {
    // alice may not even see bob's VM; bob owns his but backup is a VM_ADMIN_OPERATION.
    await expect(one.backupVm(ALICE, vm.bobs, ds)).rejects.toBeInstanceOf(one.OneNotAuthorized);
    const denied = await one.backupVm(BOB, vm.bobs, ds).catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(one.OneNotAuthorized);
    expect((denied as one.OneError).userMessage).toMatch(/Not authorized to perform ADMIN VM/);
    await expect(one.backupVm(ADMIN, 999, ds)).rejects.toMatchObject({ objectType: 'virtual machine', objectId: 999 });
    await expect(one.cancelVmBackup(ADMIN, vm.bobs)).rejects.toMatchObject({
      message: expect.stringMatching(/no backup in progress/),
    });
    expect((await one.getVm(ADMIN, vm.bobs)).backups.backupIds).toEqual([]);
    expect(states(vm.bobs)).toBe('3,3');
  });
});

describe('restore in place', () => {
  it('is refused while the VM runs; after power off it passes through RESTORE back to POWEROFF', async () => {
    const image = (await one.getVm(ADMIN, vm.running)).backups.backupIds[0]!;
    const refused = await one.restoreVmInPlace(ADMIN, vm.running, image).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(one.OneCliError);
    expect(refused).toMatchObject({ message: 'Could not restore VM, it must be in poweroff' });
    await expect(one.restoreVmInPlace(ADMIN, vm.running, image, { diskId: 7 })).rejects.toMatchObject({
      message: 'VM disk does not exist',
    });
    expect(states(vm.running)).toBe('3,3');
    await one.powerOffVm(ADMIN, vm.running);
    expect(await settled(vm.running, '8,0')).toBe(true);
    // A FULL image has no increments: --increment is for INCREMENT chains only (oned: "Wrong increment").
    await expect(one.restoreVmInPlace(ADMIN, vm.running, image, { incrementId: 0 })).rejects.toMatchObject({
      message: 'Wrong increment',
    });
    await one.restoreVmInPlace(ADMIN, vm.running, image, { diskId: 0 });
    expect(['3,71', '8,0']).toContain(states(vm.running));
    expect(await settled(vm.running, '8,0')).toBe(true);
    const v = await one.getVm(ADMIN, vm.running);
    expect(v.state).toBe('POWEROFF');
    await one.resumeVm(ADMIN, vm.running);
    expect(await settled(vm.running, '3,3')).toBe(true);
  });
});

describe('backup configuration', () => {
  it('updateconf -a sets the complete set of fields and keeps the sections it does not send', async () => {
    const sections = () =>
      readDb(frontendPaths(world!.stateDir))
        .vms.find((x) => x.id === vm.bobs)!
        .template.map((a) => a.name)
        .sort();
    const before = sections();
    await one.updateVmBackupConfig(BOB, vm.bobs, {
      mode: 'INCREMENT',
      incrementMode: 'SNAPSHOT',
      keepLast: 4,
      fsFreeze: 'AGENT',
      backupVolatile: true,
    });
    expect((await one.getVm(BOB, vm.bobs)).backups.config).toMatchObject({
      mode: 'INCREMENT',
      incrementMode: 'SNAPSHOT',
      keepLast: 4,
      fsFreeze: 'AGENT',
      backupVolatile: true,
    });
    await one.updateVmBackupConfig(BOB, vm.bobs, {
      mode: 'FULL',
      keepLast: 0,
      fsFreeze: 'NONE',
      backupVolatile: false,
    });
    expect((await one.getVm(BOB, vm.bobs)).backups.config).toMatchObject({
      mode: 'FULL',
      keepLast: 0,
      fsFreeze: 'NONE',
      backupVolatile: false,
    });
    expect(sections()).toEqual(before);
    await expect(
      one.updateVmBackupConfig(ALICE, vm.bobs, { mode: 'FULL', keepLast: 9, fsFreeze: 'NONE', backupVolatile: false }),
    ).rejects.toBeInstanceOf(one.OneNotAuthorized);
    expect((await one.getVm(BOB, vm.bobs)).backups.config.keepLast).toBe(0);
  });
});
