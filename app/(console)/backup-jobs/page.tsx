import type { Metadata } from 'next';
import { requireViewer } from '@/lib/auth';
import { isRunning, seenBackupJobsWithin, type BackupJobRow } from '@/lib/backup-jobs';
import type { Bounded } from '@/lib/catalog';
import { isExpectedError } from '@/lib/errors';
import { FreshnessNote } from '@/app/_components/freshness-note';
import { answerDeadline } from '@/app/_components/load';
import { PageHeader, Panel } from '@/app/_components/panel';
import { RefreshWhile } from '@/app/_components/refresh-while';
import { BackupJobsTable } from './_components/backup-jobs-table';

export const metadata: Metadata = { title: 'Backup Jobs' };

export default async function BackupJobsPage() {
  const viewer = await requireViewer('/backup-jobs');
  const { at } = answerDeadline();
  let read: Bounded<BackupJobRow[]> | undefined;
  try {
    read = await seenBackupJobsWithin(viewer);
  } catch (err) {
    if (!isExpectedError(err, 'unavailable')) throw err;
  }
  const rows = read?.value ?? [];
  const freshness = read?.freshness ?? { state: 'reading' as const };
  return (
    <div className="mx-auto max-w-7xl space-y-4">
      <PageHeader
        title="Backup Jobs"
        subtitle={
          viewer.isAdmin
            ? 'Every OpenNebula Backup Job: its schedule, last run and the state of its VMs, worst first.'
            : 'The Backup Jobs OpenNebula shows you: schedule, last run and the state of their VMs.'
        }
      />
      <FreshnessNote freshness={freshness} what="the Backup Jobs" now={at} source="opennebula" />
      {read && (
        <Panel>
          <div className="overflow-x-auto">
            <BackupJobsTable rows={rows} />
          </div>
        </Panel>
      )}
      <RefreshWhile active={freshness.state !== 'fresh' || rows.some((r) => isRunning(r.job))} />
    </div>
  );
}
