'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import type { Job } from '@/lib/jobs';
import { formatBytes } from '@/app/_components/format';
import { RelativeTime } from '@/app/_components/relative-time';
import { JobStatusBadge, ProgressBar } from './job-status';

export function JobsList({ initial }: { initial: Job[] }) {
  const { data } = useQuery({
    queryKey: ['jobs'],
    queryFn: async () => ((await (await fetch('/api/jobs', { cache: 'no-store' })).json()) as { jobs: Job[] }).jobs,
    initialData: initial,
    refetchInterval: (q) =>
      (q.state.data ?? []).some((j) => j.status === 'running' || j.status === 'queued') ? 1_000 : 10_000,
  });
  if (data.length === 0)
    return (
      <p className="px-4 py-6 text-center text-sm text-slate-500">
        No jobs yet. Restores, prunes and checks appear here.
      </p>
    );
  return (
    <ul className="divide-y divide-slate-100 dark:divide-slate-800" data-testid="jobs-list">
      {data.map((j) => (
        <li key={j.id} className="px-4 py-3 text-sm" data-testid={`job-row-${j.id}`}>
          <div className="flex flex-wrap items-center gap-2">
            <Link href={`/jobs/${j.id}`} className="font-medium text-brand-600 hover:underline">
              #{j.id} {j.title}
            </Link>
            <JobStatusBadge status={j.status} />
            {j.canceling && j.status === 'running' && (
              <span className="text-xs font-medium text-amber-700 dark:text-amber-300" data-testid="job-row-canceling">
                canceling
              </span>
            )}
            <span className="text-xs text-slate-500">
              by {j.actor}, <RelativeTime at={j.createdAt} />
            </span>
          </div>
          {(j.status === 'running' || j.status === 'queued') && (
            <div className="mt-2 max-w-xl space-y-1">
              <ProgressBar percent={j.percent} />
              <p className="text-xs text-slate-500">
                {j.message || (j.status === 'queued' ? 'Waiting for a free slot on this backup server.' : 'Running…')}
                {j.bytesTotal ? ` · ${formatBytes(j.bytesDone)} of ${formatBytes(j.bytesTotal)}` : ''}
              </p>
            </div>
          )}
          {j.status !== 'running' && j.status !== 'queued' && j.message && (
            <p className="mt-1 text-xs text-slate-600 dark:text-slate-400">{j.message}</p>
          )}
        </li>
      ))}
    </ul>
  );
}
