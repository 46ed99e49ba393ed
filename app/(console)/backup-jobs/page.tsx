import type { Metadata } from 'next';
import { requireViewer } from '@/lib/auth';
import { isRunning, listSeenBackupJobs } from '@/lib/backup-jobs';
import { PageHeader, Panel } from '@/app/_components/panel';
import { RefreshWhile } from '@/app/_components/refresh-while';
import { BackupJobsTable } from './_components/backup-jobs-table';

export const metadata: Metadata = { title: 'Backup Jobs' };

export default async function BackupJobsPage() {
  const viewer = await requireViewer('/backup-jobs');
  const rows = await listSeenBackupJobs(viewer);
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
      <Panel>
        <div className="overflow-x-auto">
          <BackupJobsTable rows={rows} />
        </div>
      </Panel>
      <RefreshWhile active={rows.some((r) => isRunning(r.job))} />
    </div>
  );
}
