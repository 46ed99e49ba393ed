import { describe, expect, it } from 'vitest';
import { VmBackupConfigSchema, VmBackupNowSchema, VmPowerOffSchema, VmRestoreInPlaceSchema } from './vm-actions';

describe('VM action schemas', () => {
  it('back up now: canonical IDs, the reset tick', () => {
    expect(VmBackupNowSchema.parse({ vmId: '4', datastoreId: '100', reset: 'on' })).toEqual({
      vmId: 4,
      datastoreId: 100,
      reset: true,
    });
    expect(VmBackupNowSchema.parse({ vmId: '4', datastoreId: '100' }).reset).toBe(false);
    for (const bad of ['-1', '0x64', ' 4', '4; rm', '']) {
      expect(VmBackupNowSchema.safeParse({ vmId: bad, datastoreId: '100' }).success).toBe(false);
    }
  });

  it('power off needs its own confirmation', () => {
    expect(VmPowerOffSchema.safeParse({ vmId: '1' }).success).toBe(false);
    expect(VmPowerOffSchema.safeParse({ vmId: '1', confirm: 'poweroff' }).success).toBe(true);
  });

  it('restore in place: optional increment and disk, a typed confirmation', () => {
    expect(
      VmRestoreInPlaceSchema.parse({ vmId: '1', imageId: '9', incrementId: '', diskId: '', confirm: ' db ' }),
    ).toEqual({ vmId: 1, imageId: 9, incrementId: undefined, diskId: undefined, confirm: 'db' });
    expect(
      VmRestoreInPlaceSchema.parse({ vmId: '1', imageId: '9', incrementId: '2', diskId: '0', confirm: 'x' }),
    ).toMatchObject({ incrementId: 2, diskId: 0 });
    expect(VmRestoreInPlaceSchema.safeParse({ vmId: '1', imageId: '9', confirm: '' }).success).toBe(false);
  });

  it('backup configuration: enums only, KEEP_LAST empty = keep all, INCREMENT_MODE only with INCREMENT', () => {
    const base = { vmId: '3', mode: 'INCREMENT', incrementMode: 'SNAPSHOT', keepLast: '7', fsFreeze: 'AGENT' };
    expect(VmBackupConfigSchema.parse({ ...base, backupVolatile: 'on' })).toEqual({
      vmId: 3,
      mode: 'INCREMENT',
      incrementMode: 'SNAPSHOT',
      keepLast: 7,
      fsFreeze: 'AGENT',
      backupVolatile: true,
    });
    expect(VmBackupConfigSchema.parse({ ...base, mode: 'FULL', keepLast: '' })).toMatchObject({
      incrementMode: undefined,
      keepLast: 0,
    });
    expect(VmBackupConfigSchema.parse({ ...base, incrementMode: '' }).incrementMode).toBe('CBT');
    for (const bad of [
      { mode: 'full' },
      { mode: 'DIFF' },
      { incrementMode: 'NBD' },
      { fsFreeze: 'QEMU' },
      { keepLast: '-1' },
      { keepLast: '2.5' },
      { keepLast: '1001' },
      { keepLast: '3"]' },
    ]) {
      expect(VmBackupConfigSchema.safeParse({ ...base, ...bad }).success, JSON.stringify(bad)).toBe(false);
    }
  });
});
