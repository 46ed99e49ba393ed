import { describe, expect, it } from 'vitest';
import { cliFailure, OneAuthenticationFailed, OneCliError, OneNotAuthorized, OneNotFound } from './errors';

// Messages as oned's Request::failure_message and the Ruby CLI write them.
describe('cliFailure', () => {
  it('recognises each kind of oned failure', () => {
    expect(cliFailure('onevm', 255, "[one.vm.info] User couldn't be authenticated, aborting call.", '')).toBeInstanceOf(
      OneAuthenticationFailed,
    );
    const denied = cliFailure(
      'oneimage',
      255,
      '[one.image.delete] User [3] not authorized to perform action on image.',
      '',
    );
    expect(denied).toBeInstanceOf(OneNotAuthorized);
    expect(denied.message).toBe('OpenNebula refused the request: not authorized to perform action on image.');
    expect(cliFailure('onevm', 255, '[one.vm.info] Error getting virtual machine [5].', '')).toMatchObject({
      objectType: 'virtual machine',
      objectId: 5,
      message: 'OpenNebula has no virtual machine with ID 5.',
    });
    const pool = cliFailure('onebackupjob', 255, '[one.backupjobpool.info] Error getting backup job Pool.', '');
    expect(pool).toBeInstanceOf(OneNotFound);
    expect(pool).toMatchObject({ objectType: 'backup job', objectId: undefined });
  });

  it('keeps other oned messages, without the method label, and bounds them', () => {
    const e = cliFailure('onedatastore', 255, `[one.datastore.delete] The resource datastore is locked. [100].`, '');
    expect(e).toBeInstanceOf(OneCliError);
    expect(e).toMatchObject({
      message: 'The resource datastore is locked. [100].',
      method: 'one.datastore.delete',
      exitCode: 255,
    });
    const long = cliFailure('oneimage', 255, `[one.image.allocate] ${'x'.repeat(2000)}`, '');
    expect(long.message.length).toBeLessThan(420);
  });

  it("reads oned's message after the words some commands put first (onevm restore, onevm backup)", () => {
    const r = cliFailure(
      'onevm',
      255,
      'Error restoring: [one.vm.restore] Could not restore VM, it must be in poweroff',
      '',
    );
    expect(r).toBeInstanceOf(OneCliError);
    expect(r).toMatchObject({ message: 'Could not restore VM, it must be in poweroff', method: 'one.vm.restore' });
    const b = cliFailure(
      'onevm',
      255,
      'Error creating VM backup: [one.vm.backup] User [2] : Not authorized to perform ADMIN VM [3].',
      '',
    );
    expect(b).toBeInstanceOf(OneNotAuthorized);
    expect(cliFailure('onevm', 255, 'Error restoring: [one.vm.restore] Error getting image [999].', '')).toMatchObject({
      objectType: 'image',
      objectId: 999,
    });
  });

  it('finds the oned line among other output and redacts given secrets', () => {
    const e = cliFailure('oneuser', 1, 'warning: something\n[one.user.info] Error getting user [9].\n', '', []);
    expect(e).toBeInstanceOf(OneNotFound);
    const s = cliFailure('oneuser', 1, 'bad secret hunter22 seen', '', ['hunter22']);
    expect(s.message).toBe('oneuser failed: bad secret [REDACTED] seen');
  });
});
