// PLACEHOLDER, replaced at merge by lib/protection/schedule.ts (describeSchedule / nextRun) and the
// SCHED_ACTION model of lib/opennebula: the raw REPEAT / DAYS / TIME fields of each scheduled
// backup, so the Backup Job pages have one place where a schedule becomes words.

export type ScheduleText = { text: string; next?: string };

/** The job's SCHED_ACTION vectors (from `onebackupjob show -x`) as text; undefined without any. */
export function scheduleText(schedActions: readonly Record<string, string>[] | undefined): ScheduleText | undefined {
  const backups = (schedActions ?? []).filter((sa) => (sa.ACTION ?? 'backup') === 'backup');
  if (backups.length === 0) return undefined;
  return {
    text: backups
      .map((sa) =>
        [`REPEAT=${sa.REPEAT ?? '-1'}`, sa.DAYS ? `DAYS=${sa.DAYS}` : '', `TIME=${sa.TIME ?? ''}`]
          .filter(Boolean)
          .join(' '),
      )
      .join('; '),
  };
}
