import { describe, expect, it } from 'vitest';
import { describeConfig } from './describe';
import { parseConfig, type Config } from './index';

describe('describeConfig', () => {
  it('names the download limits and the idle bound an admin has set', () => {
    const config = {
      frontend: { mode: 'local' },
      oneAuthFile: '/var/lib/one/.one/one_auth',
      ssh: { identityFile: '/var/lib/one/.ssh/id_ed25519', knownHostsFile: '/var/lib/one/.ssh/known_hosts' },
      remoteRoot: '/',
      dataDir: '/var/lib/one/backstone',
      jobsPerServer: 2,
      downloads: { perUser: 3, perServer: 7, idleMs: 45_000 },
      alerts: { key: undefined },
    } as unknown as Config;
    const rows = describeConfig(config).flatMap((s) => s.rows);
    expect(rows.find((r) => r.label === 'Downloads')).toMatchObject({
      value: '3 per user, 7 per backup server',
      note: expect.stringContaining('unread for 45 s'),
    });
    expect(rows.find((r) => r.label === 'Long jobs per backup server')?.value).toBe('2');
  });

  it('says which restic runs here for S3 datastores', () => {
    const fallback = describeConfig(parseConfig({}, '/srv')).flatMap((s) => s.rows);
    expect(fallback.find((r) => r.label === 'restic for S3 datastores')?.value).toContain('remotes/datastore/restic');
    const set = describeConfig(parseConfig({ BACKSTONE_LOCAL_RESTIC: '/opt/restic' }, '/srv')).flatMap((s) => s.rows);
    expect(set.find((r) => r.label.startsWith('restic for S3'))?.value).toBe('/opt/restic');
  });

  it('says where the alerts key comes from, never the key', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    const rows = describeConfig(parseConfig({ BACKSTONE_ALERTS_KEY: key }, '/srv')).flatMap((s) => s.rows);
    expect(rows.find((r) => r.label === 'Alerts key')?.value).toBe('from BACKSTONE_ALERTS_KEY');
    expect(JSON.stringify(rows)).not.toContain(key);
    const fromFile = describeConfig(parseConfig({}, '/srv')).flatMap((s) => s.rows);
    expect(fromFile.find((r) => r.label === 'Alerts key')?.value).toBe('alerts-key in the data folder');
    expect(() => parseConfig({ BACKSTONE_ALERTS_KEY: 'c2hvcnQ=' })).toThrow(/BACKSTONE_ALERTS_KEY: must be 32 bytes/);
  });
});
