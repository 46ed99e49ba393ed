import { describe, expect, it } from 'vitest';
import { readiness, type ReadinessChecks } from './readiness';

const healthy: ReadinessChecks = {
  store: () => {},
  backupServers: async () => [
    { kind: 'ssh', host: 'backup-1', user: 'oneadmin' },
    { kind: 'ssh', host: 'backup-2', user: 'oneadmin' },
  ],
  ssh: async () => {},
};

describe('readiness', () => {
  it('is ok when the store, OpenNebula and every backup server answer', async () => {
    await expect(readiness(healthy)).resolves.toEqual({
      status: 'ok',
      store: 'ok',
      opennebula: 'ok',
      backupServers: [
        { host: 'backup-1', ssh: 'ok' },
        { host: 'backup-2', ssh: 'ok' },
      ],
    });
  });

  it('names the failing part and nothing of its error', async () => {
    const r = await readiness({
      ...healthy,
      ssh: async (s) => {
        if (s.host === 'backup-2') throw new Error('Permission denied (publickey) /var/lib/one/.ssh/id_rsa');
      },
    });
    expect(r).toMatchObject({ status: 'failing', store: 'ok', opennebula: 'ok' });
    expect(r.backupServers).toEqual([
      { host: 'backup-1', ssh: 'ok' },
      { host: 'backup-2', ssh: 'failing' },
    ]);
    expect(JSON.stringify(r)).not.toMatch(/ssh\/|denied|publickey/);
  });

  it('reports OpenNebula failing, and no servers, when the CLI does not answer', async () => {
    const r = await readiness({
      ...healthy,
      backupServers: async () => {
        throw new Error('oned unreachable at http://localhost:2633 with oneadmin:secret');
      },
    });
    expect(r).toEqual({ status: 'failing', store: 'ok', opennebula: 'failing', backupServers: [] });
  });

  it('probes two servers on one host with different ports twice, and one server named twice once', async () => {
    const probed: string[] = [];
    const r = await readiness({
      ...healthy,
      backupServers: async () => [
        { kind: 'ssh', host: 'backup', port: 2201, user: 'oneadmin' },
        { kind: 'ssh', host: 'backup', port: 2202, user: 'oneadmin' },
        { kind: 'ssh', host: 'backup', port: 2201, user: 'oneadmin' },
      ],
      ssh: async (s) => {
        probed.push(`${s.host}:${s.port}`);
      },
    });
    expect(probed.sort()).toEqual(['backup:2201', 'backup:2202']);
    expect(r.backupServers).toHaveLength(2);
  });

  it('reports the store failing when it cannot open', async () => {
    const r = await readiness({
      ...healthy,
      store: () => {
        throw new Error('SQLITE_CANTOPEN');
      },
    });
    expect(r.status).toBe('failing');
    expect(r.store).toBe('failing');
  });
});
