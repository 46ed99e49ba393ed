import { describe, expect, it } from 'vitest';
import { parseConfig } from './index';

describe('BACKSTONE_LOCAL_RESTORE_DIR', () => {
  it('defaults to restores/ in the data folder', () => {
    expect(parseConfig({ BACKSTONE_DATA_DIR: '/var/lib/one/backstone' }).localRestoreDir).toBe(
      '/var/lib/one/backstone/restores',
    );
  });

  it('is resolved: a trailing slash or a dot segment does not make every target "not directly under" it', () => {
    expect(parseConfig({ BACKSTONE_LOCAL_RESTORE_DIR: '/srv/restores/' }).localRestoreDir).toBe('/srv/restores');
    expect(parseConfig({ BACKSTONE_LOCAL_RESTORE_DIR: '/srv/x/../restores' }).localRestoreDir).toBe('/srv/restores');
  });

  it('must be an absolute path', () => {
    expect(() => parseConfig({ BACKSTONE_LOCAL_RESTORE_DIR: 'restores' })).toThrow(/must be an absolute path/);
  });
});
