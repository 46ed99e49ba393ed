import { describe, expect, it } from 'vitest';
import { fixture } from '../test-support/fixtures';
import { parseBackupJob, parseBackupJobPool } from './backup-job-xml';
import { parseClusterPool, parseHostPool } from './cluster-host-xml';
import { parseUser } from './user-xml';

describe('backup job XML', () => {
  it('reads a job, its VM lists and its template settings', async () => {
    const [job] = await parseBackupJobPool(fixture('onebackupjob-list.xml'));
    expect(job).toMatchObject({
      id: 7,
      name: 'nightly',
      priority: 50,
      lastBackupTime: 1750575609,
      lastBackupDuration: 42,
      updatedVms: [43, 44],
      outdatedVms: [],
      backingUpVms: [],
      errorVms: [45],
      vmIds: [43, 44, 45],
      keepLast: 3,
      mode: 'INCREMENT',
      backupVolatile: false,
      datastoreId: 100,
      fsFreeze: 'NONE',
      execution: 'SEQUENTIAL',
    });
    expect(job!.templateVectors.SCHED_ACTION).toEqual([{ ACTION: 'backup', ID: '0', TIME: '1750000000' }]);
  });

  it('reads a single job from show', async () => {
    const pool = fixture('onebackupjob-list.xml');
    const one = pool.slice(pool.indexOf('<BACKUPJOB>'), pool.indexOf('</BACKUPJOB_POOL>'));
    expect((await parseBackupJob(one)).id).toBe(7);
  });
});

describe('cluster and host XML', () => {
  it('reads clusters', async () => {
    expect(await parseClusterPool(fixture('onecluster-list.xml'))).toEqual([
      {
        id: 0,
        name: 'default',
        hostIds: [0, 1],
        datastoreIds: [0, 1, 2, 100],
        vnetIds: [0],
        template: { RESERVED_CPU: '', RESERVED_MEM: '' },
      },
      { id: 100, name: 'edge', hostIds: [], datastoreIds: [100], vnetIds: [], template: {} },
    ]);
  });

  it('reads hosts and their states', async () => {
    const hosts = await parseHostPool(fixture('onehost-list.xml'));
    expect(hosts.map((h) => [h.id, h.name, h.state, h.clusterId, h.vmIds])).toEqual([
      [0, 'kvm-1', 'MONITORED', 0, [43]],
      [1, 'kvm-2', 'OFFLINE', 0, []],
    ]);
  });
});

describe('user XML', () => {
  it('reads a user without keeping its password hash or login tokens', async () => {
    const user = await parseUser(fixture('oneuser-show-alice.xml'));
    expect(user).toEqual({
      id: 2,
      name: 'alice',
      gid: 1,
      gname: 'users',
      groupIds: [1],
      authDriver: 'core',
      enabled: true,
      isAdmin: false,
    });
    expect(JSON.stringify(user)).not.toMatch(/7f3b1c0e|a4b5c6d7|ca52e4b0/);
  });

  it('makes a member of group 0 an admin, also as a secondary group', async () => {
    expect(await parseUser(fixture('oneuser-show-secondary-admin.xml'))).toMatchObject({
      groupIds: [1, 0],
      isAdmin: true,
    });
  });
});
