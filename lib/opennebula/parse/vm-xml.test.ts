import { describe, expect, it } from 'vitest';
import { fixture } from '../test-support/fixtures';
import { parseVm, parseVmBackups, parseVmPool } from './vm-xml';

describe('VM XML', () => {
  it('reads the reference BACKUPS fragment', async () => {
    expect(await parseVmBackups(fixture('vm-backups-fragment.xml'))).toEqual({
      config: {
        backupJobId: 7,
        backupVolatile: false,
        fsFreeze: 'AGENT',
        incrementalBackupId: 106,
        incrementMode: 'CBT',
        keepLast: 3,
        lastDatastoreId: 100,
        lastIncrementId: 4,
        mode: 'INCREMENT',
      },
      backupIds: [106],
    });
  });

  it('reads a 7.x VM in BACKUP with two disks and a NIC', async () => {
    const vm = await parseVm(fixture('onevm-show-7.xml'));
    expect(vm).toMatchObject({
      id: 43,
      name: 'web-1',
      uid: 2,
      uname: 'alice',
      gid: 1,
      gname: 'users',
      state: 'ACTIVE',
      lcmState: 'BACKUP',
      backingUp: true,
      stime: 1750000000,
    });
    expect(vm.disks.map(({ attributes: _a, ...d }) => d)).toEqual([
      { diskId: 0, imageId: 0, image: 'debian 12', datastoreId: 1, sizeMb: 2048, type: 'FILE', target: 'vda' },
      { diskId: 1, sizeMb: 1024, type: 'fs', target: 'vdb' },
    ]);
    expect(vm.nics.map(({ attributes: _a, ...n }) => n)).toEqual([
      { nicId: 0, network: 'private', networkId: 0, ip: '10.0.0.5', mac: '02:00:0a:00:00:05' },
    ]);
    expect(vm.backups.config.mode).toBe('INCREMENT');
    expect(vm.backups.backupIds).toEqual([106]);
    // TEMPLATE's capacity, not MONITORING's CPU usage.
    expect(vm).toMatchObject({ cpu: '1', memoryMb: 1024 });
  });

  it('reads a 6.10 pool: a single DISK, an empty BACKUP_CONFIG, BACKUP_POWEROFF, empty values', async () => {
    const [db, bare] = await parseVmPool(fixture('onevm-list-6.10.xml'));
    expect(db).toMatchObject({ id: 12, state: 'POWEROFF', lcmState: 'LCM_INIT', backingUp: false, nics: [] });
    expect(db!.disks).toHaveLength(1);
    expect(db!.backups).toEqual({ config: {}, backupIds: [] });
    expect(bare).toMatchObject({ lcmState: 'BACKUP_POWEROFF', backingUp: true, disks: [], nics: [] });
    expect(bare!.backups).toEqual({ config: { mode: 'FULL', diskIds: [0, 2] }, backupIds: [7, 8] });
  });

  it('reads an empty pool', async () => {
    expect(await parseVmPool('<VM_POOL/>')).toEqual([]);
  });
});
