import type { SchedAction } from '@/lib/opennebula/models';
import { formatAge, formatDate } from '@/lib/schemas/format-time';
import type { ProtectionStatusName } from '@/lib/schemas/vms';
import { describeSchedule, nextRun, type Schedule } from './schedule';

// A VM's protection status from what OpenNebula says about it: pure, so every rule is a table case.

export { PROTECTION_STATUSES } from '@/lib/schemas/vms';
export type ProtectionStatus = ProtectionStatusName;

/** How late a scheduled run may be before the VM counts as overdue (backup limits hold runs back). */
export const SCHEDULE_GRACE_SECONDS = 3600;
/** The expected interval of a datastore nobody set one for. */
export const DEFAULT_EXPECTED_INTERVAL_SECONDS = 24 * 3600;

export type StatusInput = {
  now: number;
  /** LCM BACKUP / BACKUP_POWEROFF, or listed in its Backup Job's BACKING_UP_VMS. */
  backingUp: boolean;
  /** Epoch seconds of its newest backup (image or increment), undefined when it has none. */
  lastBackupAt?: number;
  /** Its Backup Job, when it is in one and the job lists it in ERROR_VMS. */
  jobError?: { jobId: number; message?: string };
  /** USER_TEMPLATE/ERROR, when set (oned writes `<ctime>: BACKUP: <msg>` after a failed backup). */
  vmError?: string;
  /** The backup schedules that apply: the VM's own backup actions, else its Backup Job's. */
  schedules: { sched: Schedule & Pick<SchedAction, 'message'>; owner: string }[];
  /** The expected interval of its backup datastore(s), seconds (the smallest when several). */
  expectedIntervalSeconds: number;
  graceSeconds?: number;
};

export type StatusVerdict = { status: ProtectionStatus; reason: string };

/** Epoch seconds of oned's ctime ("Mon Jun 10 12:00:00 2024") at the start of an ERROR, if any. */
export function errorTime(error: string): number | undefined {
  const m = /^\s*(\w{3} \w{3} +\d{1,2} \d{2}:\d{2}:\d{2} \d{4})/.exec(error);
  if (!m) return undefined;
  const t = Date.parse(m[1]!);
  return Number.isNaN(t) ? undefined : Math.floor(t / 1000);
}

/** A USER_TEMPLATE/ERROR left by a failed backup (not by another operation), and its message. */
export function backupFailure(error: string | undefined): { at?: number; message: string } | undefined {
  if (!error) return undefined;
  const m = /:\s*BACKUP:\s*(.*)$/s.exec(error);
  if (!m) return undefined;
  return { ...(errorTime(error) !== undefined ? { at: errorTime(error)! } : {}), message: m[1]!.trim() };
}

/** "3 h", "2 d": an interval (a length of time, not a moment: `formatAge` says how long ago). */
export function intervalWords(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 120) return `${s} s`;
  if (s < 2 * 3600) return `${Math.round(s / 60)} min`;
  if (s < 2 * 86_400) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86_400)} d`;
}

const dateOf = (epoch: number) => formatDate(epoch * 1000);

/** Worst first: a running backup, then a failure, never backed up, overdue, protected. */
export function protectionStatus(input: StatusInput): StatusVerdict {
  const { now, lastBackupAt } = input;
  const grace = input.graceSeconds ?? SCHEDULE_GRACE_SECONDS;
  if (input.backingUp) return { status: 'backing-up', reason: 'A backup is running now.' };

  if (input.jobError) {
    const why = input.jobError.message ? `: ${input.jobError.message}` : '';
    return { status: 'failed', reason: `Its last backup in Backup Job ${input.jobError.jobId} failed${why}` };
  }
  const failure = backupFailure(input.vmError);
  // An error older than the newest backup was followed by a backup that worked.
  if (failure && (lastBackupAt === undefined || failure.at === undefined || failure.at > lastBackupAt))
    return { status: 'failed', reason: `Its last backup failed: ${failure.message}` };
  const refused = input.schedules.find((s) => s.sched.message.trim() !== '');
  if (refused)
    return {
      status: 'failed',
      reason: `The scheduled backup (${refused.owner}) could not start: ${refused.sched.message}`,
    };

  if (lastBackupAt === undefined) {
    const next = input.schedules
      .map((s) => nextRun(s.sched, now))
      .filter((t): t is number => t !== undefined && t > now);
    return {
      status: 'never',
      reason: next.length
        ? `Never backed up; first run scheduled for ${dateOf(Math.min(...next))}.`
        : 'Never backed up.',
    };
  }

  const ago = formatAge(lastBackupAt * 1000, now * 1000);
  if (input.schedules.length > 0) {
    for (const { sched, owner } of input.schedules) {
      const due = nextRun(sched, now);
      if (due !== undefined && now > due + grace)
        return {
          status: 'overdue',
          reason: `The run ${owner} scheduled for ${dateOf(due)} (${describeSchedule(sched, { timeZone: 'UTC' })}) has not happened; last backup ${ago}.`,
        };
    }
    return { status: 'protected', reason: `Last backup ${ago}; on schedule.` };
  }
  const interval = input.expectedIntervalSeconds;
  if (now - lastBackupAt > interval)
    return {
      status: 'overdue',
      reason: `Last backup ${ago}; expected every ${intervalWords(interval)}.`,
    };
  return { status: 'protected', reason: `Last backup ${ago}; expected every ${intervalWords(interval)}.` };
}
