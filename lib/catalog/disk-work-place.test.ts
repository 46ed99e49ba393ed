import { afterEach, describe, expect, it } from 'vitest';
import { resetConfigCache } from '@/lib/config';
import { resticTmpDir } from './disk-work-place';

afterEach(() => {
  delete process.env.BACKSTONE_REMOTE_ROOT;
  resetConfigCache();
});

describe('resticTmpDir', () => {
  it("is the datastore's RESTIC_TMP_DIR, /var/tmp when unset or blank", () => {
    expect(resticTmpDir({ RESTIC_TMP_DIR: '/srv/restore/' })).toBe('/srv/restore');
    expect(resticTmpDir({})).toBe('/var/tmp');
    expect(resticTmpDir({ RESTIC_TMP_DIR: '  ' })).toBe('/var/tmp');
  });

  it('stays under the remote root, whatever RESTIC_TMP_DIR says', () => {
    process.env.BACKSTONE_REMOTE_ROOT = '/srv/sandbox';
    resetConfigCache();
    expect(resticTmpDir({ RESTIC_TMP_DIR: '/var/tmp' })).toBe('/srv/sandbox/var/tmp');
    expect(resticTmpDir({ RESTIC_TMP_DIR: '../../etc' })).toBe('/srv/sandbox/etc');
    expect(resticTmpDir({ RESTIC_TMP_DIR: 'var/../../tmp' })).toBe('/srv/sandbox/tmp');
  });
});
