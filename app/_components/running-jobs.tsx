'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';

/** The number of running or queued jobs, in the top bar, refreshed every few seconds. */
export function RunningJobs() {
  const { data } = useQuery({
    queryKey: ['jobs-active'],
    queryFn: async () =>
      ((await (await fetch('/api/jobs', { cache: 'no-store' })).json()) as { active: number }).active,
    refetchInterval: 5_000,
  });
  const n = data ?? 0;
  return (
    <Link
      href="/jobs"
      data-testid="running-jobs"
      title={n ? `${n} job${n === 1 ? '' : 's'} running or queued` : 'No job running'}
      className={`inline-flex h-8 items-center gap-1.5 rounded-md border px-2 text-sm sm:px-2.5 ${
        n
          ? 'border-brand-500 text-brand-700 dark:text-brand-100'
          : 'border-slate-300 text-slate-600 dark:border-slate-700 dark:text-slate-300'
      }`}
    >
      <span aria-hidden className={n ? 'animate-spin' : ''}>
        ⟳
      </span>
      {/* On a phone the top bar has room for the icon and the count only. */}
      <span className="sr-only sm:not-sr-only">Jobs</span>
      {n ? <span className="tabular-nums">{`(${n})`}</span> : null}
    </Link>
  );
}
