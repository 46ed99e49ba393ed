'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState, useTransition } from 'react';
import type { Job } from '@/lib/jobs';
import { oneObjectLink, type OneObjectKind } from '@/lib/schemas/opennebula-links';
import { locksHref } from '@/app/_components/hrefs';
import { formatBytes, formatDate } from '@/app/_components/format';
import { RelativeTime } from '@/app/_components/relative-time';
import { PageHeader, Panel } from '@/app/_components/panel';
import { cancelJobAction } from '../actions';
import { JobStatusBadge, ProgressBar } from './job-status';

type Data = { job: Job; log: { seq: number; at: number; line: string }[] };

/** What a canceled job removed, and what it left with the command that removes each thing. */
function CancelOutcome({
  removed,
  left,
}: {
  removed?: string[];
  left?: { what: string; reason: string; command: string }[];
}) {
  return (
    <>
      {removed && removed.length > 0 && <p data-testid="job-removed">Removed: {removed.join(', ')}.</p>}
      {left && left.length > 0 && (
        <div data-testid="job-left">
          <p className="font-medium text-amber-700 dark:text-amber-300">Left behind — remove by hand:</p>
          <ul className="list-disc space-y-1 pl-5">
            {left.map((l) => (
              <li key={l.what}>
                {l.what} ({l.reason}):{' '}
                <code className="rounded bg-slate-100 px-1 font-mono text-xs select-all dark:bg-slate-800">
                  {l.command}
                </code>
              </li>
            ))}
          </ul>
        </div>
      )}
    </>
  );
}

type Result = {
  templateId?: number;
  templateName?: string;
  imageIds?: number[];
  images?: { id: number; name: string; sizeMb: number }[];
  target?: string;
  disks?: { path: string; info: { 'virtual-size'?: number; format?: string } }[];
  vmXml?: string;
  removed?: string[];
  left?: { what: string; reason: string; command: string }[];
};

/** The repository a restore came from: Backstone's page for it (there is none for an IMAGE_DS). */
function SourceLink({ job }: { job: Job }) {
  const p = job.params;
  const ds = typeof p.backupDatastoreId === 'number' ? p.backupDatastoreId : p.datastoreId;
  const repo =
    typeof p.repository === 'string'
      ? p.repository
      : Array.isArray(p.vmIds) && p.vmIds.length === 1
        ? String(p.vmIds[0])
        : undefined;
  if (typeof ds !== 'number' || repo === undefined) return null;
  return (
    <p>
      <Link
        href={`/datastores/${ds}/repos/${encodeURIComponent(repo)}`}
        className="text-brand-600 hover:underline"
        data-testid="result-source"
      >
        The backups of repository {repo}
      </Link>
    </p>
  );
}

/**
 * Where to see an image or template a restore made: Sunstone's view of it when Backstone knows
 * Sunstone's address, else the CLI command that shows it (Backstone has no page for either).
 */
function SeeInOpenNebula({ sunstoneUrl, kind, id }: { sunstoneUrl?: string; kind: OneObjectKind; id: number }) {
  const link = oneObjectLink(sunstoneUrl, kind, id);
  if (link.kind === 'sunstone')
    return (
      <>
        {' · '}
        <a
          href={link.href}
          target="_blank"
          rel="noopener noreferrer"
          className="text-brand-600 hover:underline"
          data-testid={`result-${kind}-link`}
        >
          open in Sunstone
        </a>
      </>
    );
  return (
    <>
      {' · see it with '}
      <code
        className="rounded bg-slate-100 px-1 font-mono text-xs select-all dark:bg-slate-800"
        data-testid={`result-${kind}-command`}
      >
        {link.command}
      </code>
    </>
  );
}

/** What a restore made, once it ended: OpenNebula's images and template, or the files on the server. */
function ResultLinks({ job, sunstoneUrl }: { job: Job; sunstoneUrl?: string }) {
  const r = job.result as Result | undefined;
  if (!r) return null;
  const ended = job.status === 'succeeded';
  return (
    <div className="space-y-1 px-4 py-3 text-sm" data-testid="job-result">
      <CancelOutcome removed={r.removed} left={r.left} />
      {r.templateId !== undefined && (
        <p>
          VM template: <span data-testid="result-template">{r.templateId}</span>
          {r.templateName && <span data-testid="result-template-name"> “{r.templateName}”</span>}
          <SeeInOpenNebula sunstoneUrl={sunstoneUrl} kind="vm-template" id={r.templateId} />
        </p>
      )}
      {r.imageIds && (
        <p>
          Images: <span data-testid="result-images">{r.imageIds.join(', ')}</span>
        </p>
      )}
      {r.images && r.images.length > 0 && (
        <ul className="list-disc pl-5" data-testid="result-image-list">
          {r.images.map((i) => (
            <li key={i.id}>
              Image {i.id} “{i.name}”, {formatBytes(i.sizeMb * 1024 * 1024)}
              <SeeInOpenNebula sunstoneUrl={sunstoneUrl} kind="image" id={i.id} />
            </li>
          ))}
        </ul>
      )}
      {r.target && (
        <p>
          Restored to <code data-testid="result-target">{r.target}</code> on the backup server:
        </p>
      )}
      {r.disks && r.disks.length > 0 && (
        <ul className="pl-5" data-testid="result-files">
          {r.disks.map((d) => (
            <li key={d.path} className="font-mono text-xs">
              {d.path} — {d.info.format}, virtual size {formatBytes(d.info['virtual-size'])}
            </li>
          ))}
          {r.vmXml && <li className="font-mono text-xs">{r.vmXml} — the VM&apos;s template as backed up</li>}
        </ul>
      )}
      {ended && <SourceLink job={job} />}
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

/** `sunstoneUrl`: where people open Sunstone (BACKSTONE_SUNSTONE_URL), when configured. */
export function JobDetail({ initial, sunstoneUrl }: { initial: Data; sunstoneUrl?: string }) {
  const id = initial.job.id;
  const [pending, start] = useTransition();
  const [note, setNote] = useState('');
  const [asked, setAsked] = useState(false);
  const { data } = useQuery({
    queryKey: ['job', id],
    queryFn: async () => (await (await fetch(`/api/jobs/${id}`, { cache: 'no-store' })).json()) as Data,
    initialData: initial,
    refetchInterval: (q) => (q.state.data && ['queued', 'running'].includes(q.state.data.job.status) ? 1_000 : false),
  });
  const j = data.job;
  const active = j.status === 'queued' || j.status === 'running';
  // Once the job has ended its own message says how; a note from the cancel click must not stay.
  const canceling = active && (j.canceling || asked);
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
          active &&
          !canceling && (
            <button
              type="button"
              disabled={pending}
              data-testid="cancel-job"
              onClick={() =>
                start(async () => {
                  const r = await cancelJobAction(j.id);
                  if (r.status === 'ok') setAsked(true);
                  else setNote('message' in r ? (r.message ?? '') : '');
                })
              }
              className="rounded-md border border-red-300 px-3 py-1.5 text-sm font-medium text-red-700 hover:bg-red-50 dark:border-red-800 dark:text-red-300 dark:hover:bg-red-950/40"
            >
              Cancel job
            </button>
          )
        }
      />
      {canceling && (
        <p className="text-sm text-slate-600" data-testid="job-canceling">
          Canceling: the job is undoing what it did; its message below says how far it got.
        </p>
      )}
      {note && <p className="text-sm text-slate-600">{note}</p>}
      <Panel title="Progress">
        <div className="space-y-2 px-4 py-3 text-sm">
          <ProgressBar percent={j.status === 'succeeded' ? 100 : j.percent} />
          <p data-testid="job-message">{j.message || (active ? 'Working…' : '')}</p>
          <LocksLink job={j} />
          <p className="text-xs text-slate-500">
            {j.bytesTotal ? (
              // The whole job's bytes: every link of a chain, every image of a restore.
              <span data-testid="job-bytes">
                {formatBytes(j.bytesDone)} of {formatBytes(j.bytesTotal)} ·{' '}
              </span>
            ) : (
              ''
            )}
            started {j.startedAt ? <RelativeTime at={j.startedAt} /> : 'not yet'}
            {j.finishedAt ? ` · ended ${formatDate(j.finishedAt)}` : ''} · by {j.actor}
          </p>
        </div>
        <ResultLinks job={j} sunstoneUrl={sunstoneUrl} />
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
          {data.log.map((l) => `${formatDate(l.at, { part: 'time' })}  ${l.line}`).join('\n')}
        </pre>
      </Panel>
    </div>
  );
}
