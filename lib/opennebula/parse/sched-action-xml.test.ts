import { describe, expect, it } from 'vitest';
import { fixture } from '../test-support/fixtures';
import { parseBackupJob, parseBackupJobPool } from './backup-job-xml';
import { reshapeSchedAction } from './sched-action-xml';
import { parseVm } from './vm-xml';

describe('SCHED_ACTION', () => {
  it('reads a Backup Job show: its scheduled actions in full (reference §3.5)', async () => {
    const job = await parseBackupJob(fixture('onebackupjob-show-sched.xml'));
    expect(job.schedActionIds).toEqual([3]);
    expect(job.schedActions).toEqual([
      {
        id: 3,
        action: 'backup',
        args: '',
        time: 1768777200,
        repeat: 0,
        days: [1, 5],
        endType: 0,
        endValue: -1,
        done: 1768604400,
        message: '',
      },
    ]);
    expect(job.errorVms).toEqual([159]);
  });

  it('reads a Backup Job list body: IDs only', async () => {
    const [job] = await parseBackupJobPool(fixture('onebackupjob-list.xml'));
    expect(job!.schedActionIds).toEqual([0]);
  });

  it("reads a VM's scheduled actions (CDATA-wrapped in TEMPLATE) and its USER_TEMPLATE/ERROR", async () => {
    const vm = await parseVm(fixture('onevm-show-sched.xml'));
    expect(vm.schedActions.map((s) => [s.id, s.action, s.repeat, s.days, s.time, s.done])).toEqual([
      [0, 'backup', 3, [24], 1750090000, 1750003600],
      [1, 'poweroff', -1, [], 1750000000, 0],
    ]);
    expect(vm.schedActions[0]!.args).toBe('100,0');
    expect(vm.schedActionIds).toEqual([0, 1]);
    expect(vm.error).toBe('Mon Jun 16 12:00:00 2025: BACKUP: restic backup failed');
  });

  it('a VM without scheduled actions or errors has none', async () => {
    const vm = await parseVm(fixture('onevm-show-7.xml'));
    expect(vm.schedActions).toEqual([]);
    expect(vm.error).toBeUndefined();
  });

  it('skips an action without ID or TIME and defaults the rest', () => {
    expect(reshapeSchedAction({ ACTION: 'backup', TIME: '5' })).toBeUndefined();
    expect(reshapeSchedAction({ ID: '1', TIME: '' })).toBeUndefined();
    expect(reshapeSchedAction({ ID: '1', TIME: '100', ACTION: 'backup' })).toEqual({
      id: 1,
      action: 'backup',
      args: '',
      time: 100,
      repeat: -1,
      days: [],
      endType: -1,
      endValue: -1,
      done: 0,
      message: '',
    });
  });
});
