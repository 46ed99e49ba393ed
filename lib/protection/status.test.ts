import { describe, expect, it } from 'vitest';
import { backupFailure, errorTime, protectionStatus, type StatusInput } from './status';

const NOW = Date.UTC(2026, 0, 20, 12, 0) / 1000;
const H = 3600;
const daily = (time: number, extra: Partial<{ done: number; message: string }> = {}) => ({
  sched: { time, repeat: 0, days: [0, 1, 2, 3, 4, 5, 6], endType: 0, endValue: -1, done: 0, message: '', ...extra },
  owner: 'Backup Job 0',
});
const base: StatusInput = { now: NOW, backingUp: false, schedules: [], expectedIntervalSeconds: 24 * H };

describe('protectionStatus', () => {
  it.each<[string, Partial<StatusInput>, string, RegExp]>([
    [
      'recent backup, no schedule',
      { lastBackupAt: NOW - 2 * H },
      'protected',
      /Last backup 2 hours ago; expected every 24 h/,
    ],
    [
      'older than the interval, no schedule',
      { lastBackupAt: NOW - 30 * H },
      'overdue',
      /1 day ago; expected every 24 h/,
    ],
    [
      'a longer datastore interval',
      { lastBackupAt: NOW - 30 * H, expectedIntervalSeconds: 48 * H },
      'protected',
      /expected every 2 d/,
    ],
    ['never backed up', {}, 'never', /^Never backed up\.$/],
    [
      'never, with a first run ahead',
      { schedules: [daily(NOW + H)] },
      'never',
      /first run scheduled for 2026-01-20 13:00 UTC/,
    ],
    ['running backup wins over everything', { backingUp: true, lastBackupAt: NOW - 90 * H }, 'backing-up', /running/],
    [
      'in ERROR_VMS',
      { lastBackupAt: NOW - H, jobError: { jobId: 3, message: 'wrong state SUSPENDED' } },
      'failed',
      /Backup Job 3 failed: wrong state SUSPENDED/,
    ],
    [
      'a backup error after the last backup',
      { lastBackupAt: NOW - 48 * H, vmError: 'Tue Jan 20 10:00:00 2026: BACKUP: restic failed' },
      'failed',
      /Its last backup failed: restic failed/,
    ],
    [
      'a backup error before a later good backup',
      { lastBackupAt: NOW - H, vmError: 'Mon Jan 19 10:00:00 2026: BACKUP: restic failed' },
      'protected',
      /1 hour ago/,
    ],
    [
      'an error of another operation',
      { lastBackupAt: NOW - H, vmError: 'Tue Jan 20 10:00:00 2026: Error executing image transfer script' },
      'protected',
      /ago/,
    ],
    [
      'a schedule the scheduler could not launch',
      {
        lastBackupAt: NOW - H,
        schedules: [daily(NOW - 2 * H, { message: 'Tue Jan 20 : pending backups in progress' })],
      },
      'failed',
      /could not start: .*pending backups/,
    ],
    [
      'scheduled run still ahead, old backup',
      { lastBackupAt: NOW - 90 * H, schedules: [daily(NOW + H)] },
      'protected',
      /on schedule/,
    ],
    [
      'scheduled run passed within the grace',
      { lastBackupAt: NOW - 20 * H, schedules: [daily(NOW - 30 * 60)] },
      'protected',
      /on schedule/,
    ],
    [
      'scheduled run passed beyond the grace',
      { lastBackupAt: NOW - 20 * H, schedules: [daily(NOW - 2 * H)] },
      'overdue',
      /scheduled for 2026-01-20 10:00 UTC \(daily at 10:00\) has not happened/,
    ],
    [
      'a done one-shot schedule is not owed',
      {
        lastBackupAt: NOW - 90 * H,
        schedules: [
          {
            ...daily(NOW - 90 * H, { done: NOW - 90 * H }),
            sched: { ...daily(NOW - 90 * H).sched, repeat: -1, done: NOW - 90 * H },
          },
        ],
      },
      'protected',
      /on schedule/,
    ],
  ])('%s', (_, patch, status, reason) => {
    const v = protectionStatus({ ...base, ...patch });
    expect(v.status).toBe(status);
    expect(v.reason).toMatch(reason);
  });
});

describe('oned ERROR text', () => {
  it('reads the ctime at its start', () => {
    expect(errorTime('Mon Jun 10 12:00:00 2024: BACKUP: x')).toBe(Date.parse('Mon Jun 10 12:00:00 2024') / 1000);
    expect(errorTime('no time here')).toBeUndefined();
  });
  it('tells a backup failure from other errors', () => {
    expect(backupFailure('Mon Jun 10 12:00:00 2024: BACKUP: disk full')?.message).toBe('disk full');
    expect(backupFailure('Mon Jun 10 12:00:00 2024: Error executing image transfer script: x')).toBeUndefined();
    expect(backupFailure(undefined)).toBeUndefined();
  });
});
