import { describe, expect, it } from 'vitest';
import { latestBackupKey, stateTone, stateWords } from './vm-words';

describe('VM states in words', () => {
  it('the LCM state for ACTIVE VMs, else the VM state', () => {
    expect(stateWords({ state: 'ACTIVE', lcmState: 'BACKUP_POWEROFF' })).toBe('BACKUP_POWEROFF');
    expect(stateWords({ state: 'POWEROFF', lcmState: 'LCM_INIT' })).toBe('POWEROFF');
    expect(stateTone({ state: 'ACTIVE', lcmState: 'RUNNING' })).toBe('ok');
    expect(stateTone({ state: 'ACTIVE', lcmState: 'RESTORE' })).toBe('info');
    expect(stateTone({ state: 'ACTIVE', lcmState: 'BOOT_FAILURE' })).toBe('error');
  });
});

describe('latestBackupKey', () => {
  const image = (imageId: number, ...incs: number[]) => ({
    imageId,
    links: incs.map((incrementId) => ({ incrementId })),
  });

  it('changes with a new increment, and with a new image even when KEEP_LAST removed an older one', () => {
    expect(latestBackupKey([])).toBe('-1:-1');
    expect(latestBackupKey([image(5, 0, 1)])).toBe('5:1');
    expect(latestBackupKey([image(5, 0, 1, 2)])).toBe('5:2');
    // FULL, KEEP_LAST 2: 4 and 5 before, 5 and 6 after; same count, new key.
    expect(latestBackupKey([image(4, 0), image(5, 0)])).not.toBe(latestBackupKey([image(6, 0), image(5, 0)]));
  });
});
