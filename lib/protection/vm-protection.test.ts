import { describe, expect, it } from 'vitest';
import type { BackupJob, Image, Vm } from '@/lib/opennebula/models';
import { applyVmQuery } from './vm-query';
import { protectionCounts, vmProtectionRows, type ProtectionFacts } from './vm-protection';

const NOW = Date.UTC(2026, 0, 20, 12, 0) / 1000;
const H = 3600;

function vm(id: number, name: string, patch: Partial<Vm> = {}): Vm {
  return {
    id,
    name,
    uid: 0,
    uname: 'oneadmin',
    gid: 0,
    gname: 'oneadmin',
    state: 'ACTIVE',
    lcmState: 'RUNNING',
    backingUp: false,
    stime: 0,
    etime: 0,
    disks: [],
    nics: [],
    backups: { config: {}, backupIds: [] },
    schedActionIds: [],
    schedActions: [],
    ...patch,
  };
}

function image(id: number, vmId: number, at: number, increments: number[] = []): Image {
  return {
    id,
    name: `${vmId} ${id}`,
    uid: 0,
    uname: 'oneadmin',
    gid: 0,
    gname: 'oneadmin',
    type: 'BACKUP',
    state: 'READY',
    persistent: false,
    regtime: at,
    source: 'abcd1234',
    path: '',
    format: 'raw',
    sizeMb: 100,
    datastoreId: 100,
    datastoreName: 'RBackups',
    vmIds: [vmId],
    runningVms: 0,
    increments: increments.map((date, i) => ({
      id: i,
      parentId: i === 0 ? null : i - 1,
      type: i === 0 ? 'FULL' : 'INCREMENT',
      source: `s${i}`,
      sizeMb: 10 + i,
      date,
    })),
    template: {},
    templateVectors: {},
  };
}

const job: BackupJob = {
  id: 0,
  name: 'nightly',
  uid: 0,
  uname: 'oneadmin',
  gid: 0,
  gname: 'oneadmin',
  priority: 50,
  lastBackupTime: NOW - H,
  lastBackupDuration: 10,
  updatedVms: [3],
  outdatedVms: [],
  backingUpVms: [],
  errorVms: [4],
  vmIds: [3, 4],
  datastoreId: 100,
  error: 'Sat Jan 17 12:30:14 2026 : [backup] Could not create a new backup for VM 4, wrong state SUSPENDED.',
  schedActionIds: [1],
  schedActions: [
    {
      id: 1,
      action: 'backup',
      args: '',
      time: NOW + 14 * H,
      repeat: 0,
      days: [0, 1, 2, 3, 4, 5, 6],
      endType: 0,
      endValue: -1,
      done: NOW - 10 * H,
      message: '',
    },
  ],
  template: {},
  templateVectors: {},
};

const facts: ProtectionFacts = {
  vms: [
    vm(1, 'web', { backups: { config: { mode: 'FULL', keepLast: 2 }, backupIds: [10] } }),
    vm(2, 'db', {
      uname: 'alice',
      gname: 'users',
      backups: { config: { mode: 'INCREMENT', incrementMode: 'SNAPSHOT', fsFreeze: 'AGENT' }, backupIds: [11] },
    }),
    vm(3, 'app', { backups: { config: { backupJobId: 0 }, backupIds: [12] } }),
    vm(4, 'ci', { state: 'POWEROFF', lcmState: 'LCM_INIT', backups: { config: { backupJobId: 0 }, backupIds: [13] } }),
    vm(5, 'fresh', {
      schedActionIds: [2],
      schedActions: [
        {
          id: 2,
          action: 'backup',
          args: '101,0',
          time: NOW + H,
          repeat: 3,
          days: [24],
          endType: 0,
          endValue: -1,
          done: 0,
          message: '',
        },
      ],
    }),
    vm(6, 'busy', {
      backingUp: true,
      lcmState: 'BACKUP',
      backups: { config: { lastDatastoreId: 100 }, backupIds: [] },
    }),
  ],
  images: [
    image(10, 1, NOW - 2 * H),
    image(11, 2, NOW - 90 * H, [NOW - 90 * H, NOW - 50 * H, NOW - 30 * H]),
    image(12, 3, NOW - 100 * H),
    image(13, 4, NOW - 100 * H),
  ],
  jobs: [job],
  datastores: [
    { id: 100, name: 'RBackups' },
    { id: 101, name: 'Offsite' },
  ],
  intervals: new Map([[101, 7 * 24 * H]]),
  now: NOW,
};

describe('VM protection rows', () => {
  const rows = vmProtectionRows(facts);
  const byId = new Map(rows.map((r) => [r.id, r]));

  it('gives each VM its status from its backups, job and schedule', () => {
    expect(rows.map((r) => [r.id, r.status])).toEqual([
      [1, 'protected'],
      [2, 'overdue'],
      [3, 'protected'],
      [4, 'failed'],
      [5, 'never'],
      [6, 'backing-up'],
    ]);
    expect(byId.get(4)!.reason).toMatch(/Backup Job 0 failed: .*for VM 4, wrong state SUSPENDED/);
    expect(byId.get(5)!.reason).toMatch(/first run scheduled/);
  });

  it('shows the newest backup, its size and chain, the datastores, the job and the schedule in words', () => {
    expect(byId.get(2)).toMatchObject({
      lastBackupAt: NOW - 30 * H,
      lastBackupSizeMb: 12,
      chainLength: 3,
      mode: 'INCREMENT',
      incrementMode: 'SNAPSHOT',
      fsFreeze: 'AGENT',
      datastores: [{ id: 100, name: 'RBackups' }],
    });
    expect(byId.get(1)).toMatchObject({ lastBackupSizeMb: 100, chainLength: 0, keepLast: 2 });
    expect(byId.get(3)).toMatchObject({ job: { id: 0, name: 'nightly' }, nextRunAt: NOW + 14 * H });
    expect(byId.get(3)!.schedule).toMatch(/^daily at \d\d:00 \(UTC\)$/);
    expect(byId.get(5)).toMatchObject({ datastores: [{ id: 101, name: 'Offsite' }], schedule: 'every 24 hours (UTC)' });
    expect(byId.get(6)!.datastores).toEqual([{ id: 100, name: 'RBackups' }]);
  });

  it("gives a job's error only to the VM it names, else the VM's own backup error", () => {
    const other = vmProtectionRows({
      ...facts,
      vms: facts.vms.map((v) =>
        v.id === 4 ? { ...v, error: 'Tue Jan 20 10:00:00 2026: BACKUP: restic: disk full' } : v,
      ),
      jobs: [
        {
          ...job,
          error: 'Sat Jan 17 12:30:14 2026 : [backup] Could not create a new backup for VM 44, wrong state SUSPENDED.',
        },
      ],
    });
    expect(other.find((r) => r.id === 4)!.reason).toBe('Its last backup in Backup Job 0 failed: restic: disk full');
  });

  it("withholds a job's name the reader may not see", () => {
    const mine = vmProtectionRows({ ...facts, visibleJobIds: new Set() });
    expect(mine.find((r) => r.id === 3)!.job).toEqual({ id: 0 });
  });

  it('counts each status', () => {
    expect(protectionCounts(rows)).toEqual({ total: 6, protected: 2, overdue: 1, never: 1, failed: 1, backingUp: 1 });
  });
});

describe('VMs list query', () => {
  const rows = vmProtectionRows(facts);
  const ids = (q: Partial<Parameters<typeof applyVmQuery>[1]>) =>
    applyVmQuery(rows, { status: 'all', q: '', sort: 'status', dir: 'asc', ...q }).map((r) => r.id);

  it('sorts worst status first by default, ties by ID', () => {
    expect(ids({})).toEqual([4, 2, 5, 6, 1, 3]);
  });
  it('sorts by a column either way; rows without a value last', () => {
    expect(ids({ sort: 'lastBackup' })).toEqual([3, 4, 2, 1, 5, 6]);
    expect(ids({ sort: 'lastBackup', dir: 'desc' })).toEqual([1, 2, 3, 4, 5, 6]);
    expect(ids({ sort: 'name', dir: 'desc' })).toEqual([1, 5, 2, 4, 6, 3]);
  });
  it('filters by status and by text on name, owner or ID', () => {
    expect(ids({ status: 'overdue' })).toEqual([2]);
    expect(ids({ q: 'ALICE' })).toEqual([2]);
    expect(ids({ q: '#4' })).toEqual([4]);
    expect(ids({ q: 'us', sort: 'id' })).toEqual([2, 6]);
  });
});
