import { describe, expect, it } from 'vitest';
import type { BackupJob, Vm } from '@/lib/opennebula/models';
import { datastoreBackups, repositoryBackups, type CloudBackups } from './backups';

const vm = (id: number, backingUp: boolean, lastDatastoreId?: number): Vm =>
  ({
    id,
    name: `vm${id}`,
    lcmState: backingUp ? 'BACKUP' : 'RUNNING',
    backingUp,
    backups: { config: { lastDatastoreId }, backupIds: [] },
  }) as unknown as Vm;
const job = (id: number, vmIds: number[], datastoreId?: number): BackupJob =>
  ({ id, name: `job${id}`, vmIds, datastoreId }) as unknown as BackupJob;

describe('running backups', () => {
  const cloud: CloudBackups = {
    vms: [vm(1, true), vm(2, false), vm(3, true), vm(4, true, 101), vm(5, true)],
    jobs: [job(7, [2, 3]), job(8, [5], 102)],
  };

  it('of a repository: its VM, or the VMs of its Backup Job', () => {
    expect(repositoryBackups(cloud, '1').map((b) => b.vmId)).toEqual([1]);
    expect(repositoryBackups(cloud, '2')).toEqual([]);
    expect(repositoryBackups(cloud, 'job_7')).toEqual([{ vmId: 3, vmName: 'vm3', state: 'BACKUP' }]);
    expect(repositoryBackups(cloud, 'job_9')).toEqual([]);
  });

  it('of a datastore: VMs with a repository in it, last backed up into it, or in a job that targets it', () => {
    expect(datastoreBackups(cloud, 100, ['1', '2']).map((b) => b.vmId)).toEqual([1]);
    expect(datastoreBackups(cloud, 100, ['job_7']).map((b) => b.vmId)).toEqual([3]);
    expect(datastoreBackups(cloud, 101, []).map((b) => b.vmId)).toEqual([4]);
    expect(datastoreBackups(cloud, 102, []).map((b) => b.vmId)).toEqual([5]);
    expect(datastoreBackups(cloud, 103, ['2'])).toEqual([]);
  });
});
