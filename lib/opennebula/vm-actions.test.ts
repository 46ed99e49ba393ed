import { describe, expect, it } from 'vitest';
import type { OneCredential } from './cli';
import { OneCliError, OneNotAuthorized } from './errors';
import { fail, fakeRunner, ok } from './test-support/fake-runner';
import {
  backupConfigTemplate,
  backupVm,
  cancelVmBackup,
  powerOffVm,
  restoreVmInPlace,
  resumeVm,
  updateVmBackupConfig,
} from './vm-actions';

const alice: OneCredential = { kind: 'user', username: 'alice', secret: 'pw' };

function only<T>(xs: readonly T[]): T {
  expect(xs).toHaveLength(1);
  return xs[0]!;
}

describe('VM write verbs build the argv the CLI takes', () => {
  it('backup, with and without --reset', async () => {
    const runner = fakeRunner({ respond: () => ok('') });
    await backupVm(alice, 7, 100, {}, { runner });
    await backupVm(alice, 7, 100, { reset: true }, { runner });
    expect(runner.calls.map((c) => c.argv)).toEqual([
      ['onevm', 'backup', '7', '-d', '100'],
      ['onevm', 'backup', '7', '-d', '100', '--reset'],
    ]);
  });

  it('poweroff, resume and backup-cancel', async () => {
    const runner = fakeRunner({ respond: () => ok('') });
    await powerOffVm(alice, 3, { runner });
    await resumeVm(alice, 3, { runner });
    await cancelVmBackup(alice, 3, { runner });
    expect(runner.calls.map((c) => c.argv)).toEqual([
      ['onevm', 'poweroff', '3'],
      ['onevm', 'resume', '3'],
      ['onevm', 'backup-cancel', '3'],
    ]);
  });

  it('restore in place, with each option as its own argv item', async () => {
    const runner = fakeRunner({ respond: () => ok('') });
    await restoreVmInPlace(alice, 1, 12, {}, { runner });
    await restoreVmInPlace(alice, 1, 12, { incrementId: 2, diskId: 0 }, { runner });
    expect(runner.calls.map((c) => c.argv)).toEqual([
      ['onevm', 'restore', '1', '12'],
      ['onevm', 'restore', '1', '12', '--increment', '2', '--disk-id', '0'],
    ]);
  });

  it('refuses IDs that are not non-negative integers before running anything', async () => {
    const runner = fakeRunner({ respond: () => ok('') });
    await expect(backupVm(alice, -1, 100, {}, { runner })).rejects.toThrow(RangeError);
    await expect(backupVm(alice, 1, 1.5, {}, { runner })).rejects.toThrow(RangeError);
    await expect(restoreVmInPlace(alice, 1, 2, { incrementId: -3 }, { runner })).rejects.toThrow(RangeError);
    await expect(powerOffVm(alice, Number.NaN, { runner })).rejects.toThrow(RangeError);
    expect(runner.calls).toEqual([]);
  });

  it("maps oned's refusal, as the CLI words it, to a typed error with oned's reason", async () => {
    const runner = fakeRunner({
      respond: () => fail('Error restoring: [one.vm.restore] Could not restore VM, it must be in poweroff\n'),
    });
    const e = await restoreVmInPlace(alice, 1, 12, {}, { runner }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(OneCliError);
    expect(e).toMatchObject({ message: 'Could not restore VM, it must be in poweroff', method: 'one.vm.restore' });
    const denied = fakeRunner({
      respond: () =>
        fail('Error creating VM backup: [one.vm.backup] User [2] : Not authorized to perform ADMIN VM [1].\n'),
    });
    await expect(backupVm(alice, 1, 100, {}, { runner: denied })).rejects.toBeInstanceOf(OneNotAuthorized);
  });
});

describe('updateconf of BACKUP_CONFIG', () => {
  it('sends the complete set of fields in append mode, from a temp file', async () => {
    const runner = fakeRunner({ respond: () => ok('') });
    await updateVmBackupConfig(
      alice,
      4,
      { mode: 'INCREMENT', incrementMode: 'SNAPSHOT', keepLast: 3, fsFreeze: 'AGENT', backupVolatile: true },
      { runner },
    );
    const call = only(runner.calls);
    const file = call.argv[3]!;
    expect(call.argv).toEqual(['onevm', 'updateconf', '4', file, '-a']);
    expect(call.tempFiles[file]).toBe(
      'BACKUP_CONFIG = [\n  MODE = "INCREMENT",\n  INCREMENT_MODE = "SNAPSHOT",\n  KEEP_LAST = "3",\n  FS_FREEZE = "AGENT",\n  BACKUP_VOLATILE = "YES" ]\n',
    );
    expect(runner.removedTempDirs).toBe(1);
  });

  it('"keep all" is KEEP_LAST 0 and INCREMENT_MODE defaults to CBT, so append mode leaves nothing stale', () => {
    const t = backupConfigTemplate({ mode: 'FULL', keepLast: 0, fsFreeze: 'NONE', backupVolatile: false });
    expect(t).toContain('KEEP_LAST = "0"');
    expect(t).toContain('INCREMENT_MODE = "CBT"');
    expect(t).toContain('BACKUP_VOLATILE = "NO"');
  });

  it('refuses values oned would silently turn into something else', () => {
    const base = { mode: 'FULL', keepLast: 1, fsFreeze: 'NONE', backupVolatile: false } as const;
    expect(() => backupConfigTemplate({ ...base, mode: 'full' as 'FULL' })).toThrow(RangeError);
    expect(() => backupConfigTemplate({ ...base, fsFreeze: 'QEMU' as 'NONE' })).toThrow(RangeError);
    expect(() => backupConfigTemplate({ ...base, incrementMode: 'X' as 'CBT' })).toThrow(RangeError);
    expect(() => backupConfigTemplate({ ...base, keepLast: -1 })).toThrow(RangeError);
  });
});
