import type { SchedAction } from '@/lib/opennebula/models';
import { describeSchedule, nextRun } from '@/lib/protection/schedule';
import { formatDate } from '@/app/_components/format';

// A Backup Job's scheduled backups in words, and its next run: the same words as the VMs list
// (lib/protection/schedule.ts), in UTC like every time Backstone shows.

export type ScheduleText = { text: string; next?: string };

/** The job's scheduled backups (SCHED_ACTION from `onebackupjob show -x`); undefined without any. */
export function scheduleText(
  schedActions: readonly SchedAction[],
  now = Math.floor(Date.now() / 1000),
): ScheduleText | undefined {
  const backups = schedActions.filter((sa) => (sa.action || 'backup') === 'backup');
  if (backups.length === 0) return undefined;
  const next = backups.map((sa) => nextRun(sa, now)).filter((t): t is number => t !== undefined);
  return {
    text: `${backups.map((sa) => describeSchedule(sa, { timeZone: 'UTC' })).join('; ')} (UTC)`,
    ...(next.length > 0 ? { next: formatDate(Math.min(...next) * 1000) } : {}),
  };
}
