import Link from 'next/link';
import type { BackupJobRow } from '@/lib/backup-jobs';
import { SimpleTable, type SimpleColumn } from '@/app/_components/simple-table';
import { formatAge, formatDate } from '@/app/_components/format';
import { formatDuration } from './duration';
import { JobStatusBadge } from './job-status-badge';
import { scheduleText } from './schedule-text';

const link = 'font-medium text-brand-600 hover:underline dark:text-brand-400';

function Count({ n, tone, testId }: { n: number; tone: string; testId: string }) {
  return (
    <span data-testid={testId} className={n > 0 ? tone : 'text-slate-400 dark:text-slate-500'}>
      {n}
    </span>
  );
}

const COLUMNS: SimpleColumn<BackupJobRow>[] = [
  {
    header: 'Name',
    cell: ({ job }) => (
      <>
        <Link href={`/backup-jobs/${job.id}`} className={link} data-testid="backup-job-link">
          {job.name}
        </Link>
        <span className="block text-xs text-slate-500">ID {job.id}</span>
      </>
    ),
  },
  { header: 'Status', cell: ({ status }) => <JobStatusBadge status={status} /> },
  { header: 'Owner', cell: ({ job }) => job.uname },
  {
    header: 'Datastore',
    cell: ({ datastore }) =>
      datastore === undefined ? (
        '—'
      ) : datastore.name === undefined ? (
        `ID ${datastore.id}`
      ) : (
        <Link href={`/datastores/${datastore.id}`} className={link}>
          {datastore.name} <span className="text-slate-500">({datastore.id})</span>
        </Link>
      ),
  },
  {
    header: 'Mode',
    title: 'MODE and KEEP_LAST',
    cell: ({ job }) => (
      <span className="whitespace-nowrap">
        {job.mode ?? 'FULL'}
        <span className="block text-xs text-slate-500" data-testid="backup-job-keep-last">
          {job.keepLast ? `keep last ${job.keepLast}` : 'keep all'}
        </span>
      </span>
    ),
  },
  { header: 'Priority', align: 'right', cell: ({ job }) => job.priority },
  {
    header: 'Schedule',
    cell: ({ job }) => {
      const s = scheduleText(job.schedActions);
      if (!s) return <span className="text-slate-500">none</span>;
      return (
        <span data-testid="backup-job-schedule">
          {s.text}
          {s.next && <span className="block text-xs text-slate-500">next {s.next}</span>}
        </span>
      );
    },
  },
  {
    header: 'Last run',
    cell: ({ job }) =>
      job.lastBackupTime === 0 ? (
        <span className="text-slate-500">never</span>
      ) : (
        <span title={formatDate(job.lastBackupTime * 1000, { seconds: true })} data-testid="backup-job-last">
          {formatAge(job.lastBackupTime * 1000)}
          <span className="block text-xs text-slate-500">took {formatDuration(job.lastBackupDuration)}</span>
        </span>
      ),
  },
  {
    header: 'VMs',
    title: 'UPDATED / OUTDATED / BACKING_UP / ERROR',
    cell: ({ job }) => (
      <span className="grid grid-cols-[max-content_max-content] gap-x-3 text-xs whitespace-nowrap tabular-nums">
        <span title="UPDATED_VMS: backed up in the last run">
          updated{' '}
          <Count n={job.updatedVms.length} tone="text-emerald-700 dark:text-emerald-300" testId="count-updated" />
        </span>
        <span title="OUTDATED_VMS: waiting for their backup">
          outdated{' '}
          <Count n={job.outdatedVms.length} tone="text-amber-700 dark:text-amber-300" testId="count-outdated" />
        </span>
        <span title="BACKING_UP_VMS: backing up now">
          backing up{' '}
          <Count n={job.backingUpVms.length} tone="text-sky-700 dark:text-sky-300" testId="count-backing-up" />
        </span>
        <span title="ERROR_VMS: could not be backed up">
          error{' '}
          <Count n={job.errorVms.length} tone="font-semibold text-red-600 dark:text-red-400" testId="count-error" />
        </span>
      </span>
    ),
  },
];

export function BackupJobsTable({ rows }: { rows: readonly BackupJobRow[] }) {
  return (
    <SimpleTable
      rows={rows}
      columns={COLUMNS}
      rowKey={(r) => r.job.id}
      rowTestId={(r) => `backup-job-row-${r.job.id}`}
      rowData={(r) => ({ 'data-status': r.status })}
      testId="backup-jobs"
      empty={<span data-testid="no-backup-jobs">OpenNebula shows you no Backup Jobs.</span>}
    />
  );
}
