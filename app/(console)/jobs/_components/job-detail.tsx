'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState, useTransition } from 'react';
import type { Job } from '@/lib/jobs';
import { locksHref } from '../../../_components/hrefs';
import { formatAge, formatBytes, formatDate } from '../../../_components/format';
import { PageHeader, Panel } from '../../../_components/panel';
import { cancelJobAction } from '../actions';
import { JobStatusBadge, ProgressBar } from './job-status';

type Data = { job: Job; log: { seq: number; at: number; line: string }[] };

function ResultLinks({ job }: { job: Job }) {
  const r = job.result as
    | {
        templateId?: number;
        imageIds?: number[];
        target?: string;
        disks?: { path: string; info: { 'virtual-size'?: number; format?: string } }[];
      }
    | undefined;
  if (!r) return null;
  return (
    <div className="space-y-1 px-4 py-3 text-sm" data-testid="job-result">
      {r.templateId !== undefined && (
        <p>
          VM template: <span data-testid="result-template">{r.templateId}</span>
        </p>
      )}
      {r.imageIds && (
        <p>
          Images: <span data-testid="result-images">{r.imageIds.join(', ')}</span>
        </p>
      )}
      {r.target && (
        <p>
          Restored to <code data-testid="result-target">{r.target}</code> on the backup server:
        </p>
      )}
      {r.disks?.map((d) => (
        <p key={d.path} className="font-mono text-xs">
          {d.path} — {d.info.format}, virtual size {formatBytes(d.info['virtual-size'])}
        </p>
      ))}
    </div>
  );
}

/** restic's lock error links to the repository's Locks panel. */
function LocksLink({ job }: { job: Job }) {
  const ds = job.params.datastoreId;
  const repo = job.params.repository;
  if (job.status !== 'failed' || !/Locks panel|is locked/.test(job.message)) return null;
  if (typeof ds !== 'number' || typeof repo !== 'string') return null;
  return (
    <p>
      <Link href={locksHref(ds, repo)} className="text-brand-600 hover:underline" data-testid="job-locks-link">
        Open the Locks panel of repository {repo}
      </Link>
    </p>
  );
}

export function JobDetail({ initial }: { initial: Data }) {
  const id = initial.job.id;
  const [pending, start] = useTransition();
  const [note, setNote] = useState('');
  const { data } = useQuery({
    queryKey: ['job', id],
    queryFn: async () => (await (await fetch(`/api/jobs/${id}`, { cache: 'no-store' })).json()) as Data,
    initialData: initial,
    refetchInterval: (q) => (q.state.data && ['queued', 'running'].includes(q.state.data.job.status) ? 1_000 : false),
  });
  const j = data.job;
  const active = j.status === 'queued' || j.status === 'running';
  return (
    <div className="mx-auto max-w-5xl space-y-4">
      <PageHeader
        title={
          <span className="flex items-center gap-2">
            Job #{j.id} <JobStatusBadge status={j.status} />
          </span>
        }
        subtitle={j.title}
        actions={
          active && (
            <button
              type="button"
              disabled={pending}
              data-testid="cancel-job"
              onClick={() =>
                start(async () => {
                  const r = await cancelJobAction(j.id);
                  setNote('message' in r ? (r.message ?? '') : '');
                })
              }
              className="rounded-md border border-red-300 px-3 py-1.5 text-sm font-medium text-red-700 hover:bg-red-50 dark:border-red-800 dark:text-red-300 dark:hover:bg-red-950/40"
            >
              Cancel job
            </button>
          )
        }
      />
      {note && <p className="text-sm text-slate-600">{note}</p>}
      <Panel title="Progress">
        <div className="space-y-2 px-4 py-3 text-sm">
          <ProgressBar percent={j.status === 'succeeded' ? 100 : j.percent} />
          <p data-testid="job-message">{j.message || (active ? 'Working…' : '')}</p>
          <LocksLink job={j} />
          <p className="text-xs text-slate-500">
            {j.bytesTotal ? `${formatBytes(j.bytesDone)} of ${formatBytes(j.bytesTotal)} · ` : ''}
            started {j.startedAt ? formatAge(j.startedAt) : 'not yet'}
            {j.finishedAt ? ` · ended ${formatDate(j.finishedAt)}` : ''} · by {j.actor}
          </p>
        </div>
        <ResultLinks job={j} />
        {j.status === 'succeeded' && j.kind === 'restore-image' && (
          <p className="px-4 pb-3 text-sm">
            <Link href="/datastores" className="text-brand-600 hover:underline">
              Back to the datastores
            </Link>
          </p>
        )}
      </Panel>
      <Panel title="Log">
        <pre className="max-h-96 overflow-auto px-4 py-3 font-mono text-xs whitespace-pre-wrap" data-testid="job-log">
          {data.log.map((l) => `${new Date(l.at).toISOString().slice(11, 19)}  ${l.line}`).join('\n')}
        </pre>
      </Panel>
    </div>
  );
}
