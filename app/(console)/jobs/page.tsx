import type { Metadata } from 'next';
import { requireViewer } from '@/lib/auth';
import { visibleJobs } from '@/lib/jobs';
import { PageHeader, Panel } from '@/app/_components/panel';
import { JobsList } from './_components/jobs-list';

export const metadata: Metadata = { title: 'Jobs' };

export default async function JobsPage() {
  const viewer = await requireViewer('/jobs');
  return (
    <div className="mx-auto max-w-5xl space-y-4">
      <PageHeader
        title="Jobs"
        subtitle={
          viewer.isAdmin ? 'Every long-running operation, newest first.' : 'Your long-running operations, newest first.'
        }
      />
      <Panel>
        <JobsList initial={visibleJobs(viewer)} />
      </Panel>
    </div>
  );
}
