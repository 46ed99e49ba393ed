import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { Suspense } from 'react';
import { requireViewer } from '@/lib/auth';
import {
  ANSWER_WITHIN_MS,
  collapseDiff,
  diffOf,
  MAX_DIFF_LINES,
  vmXmlDiff,
  resolveSnapshotPair,
  valueWithin,
  type SnapshotRef,
  type SnapshotRow,
  type VmXmlDiff,
} from '@/lib/catalog';
import { isExpectedError } from '@/lib/errors';
import { DatastoreIdParam, parseParam, RepositoryParam, SnapshotParam } from '@/lib/schemas/params';
import { Badge, type Tone } from '@/app/_components/badge';
import { formatBytes, formatDate } from '@/app/_components/format';
import { FreshnessNote } from '@/app/_components/freshness-note';
import { answerDeadline, loadOr404 } from '@/app/_components/load';
import { PageHeader, Panel } from '@/app/_components/panel';
import { CompareForm } from '../_components/compare-form';
import { RefreshWhile } from '@/app/_components/refresh-while';
import { SimpleTable } from '@/app/_components/simple-table';
import { SectionError, StillReadingSection, untilDeadline } from '../_components/sections';
import { datastoreTitle } from '@/app/_components/page-titles';

type Props = {
  params: Promise<{ id: string; repo: string }>;
  searchParams: Promise<{ from?: string | string[]; to?: string | string[] }>;
};

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const p = await params;
  const id = parseParam(DatastoreIdParam, p.id);
  const repo = parseParam(RepositoryParam, p.repo);
  if (id === undefined || repo === undefined) return { title: 'Compare snapshots' };
  return { title: `Compare snapshots · repository ${repo} · ${await datastoreTitle(id)}` };
}

const TONE: Record<string, Tone> = {
  added: 'ok',
  removed: 'error',
  changed: 'warning',
  'type-changed': 'warning',
  metadata: 'muted',
};

const DIFF_LINE: Record<string, string> = {
  added: 'bg-green-50 text-green-800 dark:bg-green-950/40 dark:text-green-300',
  removed: 'bg-red-50 text-red-800 dark:bg-red-950/40 dark:text-red-300',
  same: 'text-slate-600 dark:text-slate-400',
};

/** What changed in vm.xml: a line diff of both decoded, pretty-printed files, unchanged runs folded. */
async function VmXmlChanges({ from, to, deadline }: { from: SnapshotRef; to: SnapshotRow; deadline: number }) {
  let d: VmXmlDiff | undefined;
  try {
    d = await valueWithin(vmXmlDiff(from, to), untilDeadline(deadline));
  } catch (err) {
    return <SectionError err={err} what="vm.xml" />;
  }
  if (!d) return <p className="text-xs text-slate-500">Still reading both vm.xml files from the backup server…</p>;
  if (d.kind === 'too-large')
    return (
      <p className="text-xs text-slate-500" data-testid="vm-xml-diff-too-large">
        vm.xml is too large to diff here ({d.beforeLines} and {d.afterLines} lines; at most{' '}
        {MAX_DIFF_LINES.toLocaleString('en')} lines, with a bounded number of changes).
      </p>
    );
  if (d.added + d.removed === 0)
    return <p className="text-xs text-slate-500">The decoded XML is the same; only the file&apos;s bytes differ.</p>;
  return (
    <div data-testid="vm-xml-diff">
      <p className="mb-1 text-xs text-slate-500">
        The VM&apos;s XML, decoded and indented: {d.removed} line{d.removed === 1 ? '' : 's'} removed, {d.added} added.
      </p>
      <pre className="max-h-[32rem] overflow-auto rounded border border-slate-200 text-xs dark:border-slate-800">
        {collapseDiff(d.lines, 3).map((part, k) =>
          part.kind === 'skip' ? (
            <div key={k} className="bg-slate-50 px-2 text-slate-400 italic dark:bg-slate-900" data-testid="diff-skip">
              … {part.count} unchanged line{part.count === 1 ? '' : 's'}
            </div>
          ) : (
            part.lines.map((l) => (
              <div
                key={`${k}-${l.kind}-${l.kind === 'added' ? l.after : l.before}`}
                className={`px-2 whitespace-pre ${DIFF_LINE[l.kind]}`}
                data-diff={l.kind}
              >
                {l.kind === 'added' ? '+ ' : l.kind === 'removed' ? '- ' : '  '}
                {l.text}
              </div>
            ))
          ),
        )}
      </pre>
    </div>
  );
}

async function DiffSection({ from, to, deadline }: { from: SnapshotRef; to: SnapshotRow; deadline: number }) {
  let d;
  try {
    d = await valueWithin(diffOf(from, to), untilDeadline(deadline));
  } catch (err) {
    return (
      <Panel title="Differences">
        <SectionError err={err} what="the diff" />
      </Panel>
    );
  }
  if (!d) return <StillReadingSection title="Differences" what="the differences" />;
  return (
    <Panel title={`Differences (${d.rows.length} files)`} testId="diff">
      {d.rows.length === 0 ? (
        <p className="px-4 py-3 text-sm text-slate-500">The two snapshots hold the same files.</p>
      ) : (
        <SimpleTable
          rows={d.rows}
          rowKey={(r) => r.path}
          rowTestId={(r) => `diff-row-${r.name}`}
          rowData={(r) => ({ 'data-change': r.change })}
          detail={(r) =>
            r.name === 'vm.xml' &&
            r.change === 'changed' && (
              <Suspense fallback={<p className="text-xs text-slate-500">Reading both vm.xml files…</p>}>
                <VmXmlChanges from={from} to={to} deadline={deadline} />
              </Suspense>
            )
          }
          columns={[
            { header: 'Change', cell: (r) => <Badge tone={TONE[r.change] ?? 'muted'}>{r.change}</Badge> },
            {
              header: 'File',
              cell: (r) => (
                <>
                  <span className="font-mono">{r.name}</span>
                  <span className="ml-2 font-mono text-xs break-all text-slate-500">{r.path}</span>
                </>
              ),
            },
            {
              header: 'Size before',
              align: 'right',
              testId: (r) => `diff-before-${r.name}`,
              cell: (r) => formatBytes(r.sizeBefore),
            },
            {
              header: 'Size after',
              align: 'right',
              testId: (r) => `diff-after-${r.name}`,
              cell: (r) => formatBytes(r.sizeAfter),
            },
          ]}
        />
      )}
      <p
        className="border-t border-slate-100 px-4 py-2 text-xs text-slate-500 dark:border-slate-800"
        data-testid="diff-data"
      >
        Repository data: {formatBytes(d.added.bytes)} added by the newer snapshot ({to.shortId}),{' '}
        {formatBytes(d.removed.bytes)} no longer referenced by it (restic&apos;s deduplicated blobs, not file sizes).
      </p>
    </Panel>
  );
}

function one(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? undefined : v;
}

export default async function ComparePage({ params, searchParams }: Props) {
  const p = await params;
  const sp = await searchParams;
  const id = parseParam(DatastoreIdParam, p.id);
  const repo = parseParam(RepositoryParam, p.repo);
  const fromId = parseParam(SnapshotParam, one(sp.from));
  const toId = parseParam(SnapshotParam, one(sp.to));
  if (id === undefined || repo === undefined || fromId === undefined || toId === undefined) notFound();
  const viewer = await requireViewer(`/datastores/${id}/repos/${repo}/snapshots/compare?from=${fromId}&to=${toId}`);
  // restic and the backup server get until this deadline; what is not known by then says so.
  const { deadline } = answerDeadline();
  // Both snapshots resolved for this viewer before anything streams: unknown ones are a real 404.
  let pair: Awaited<ReturnType<typeof resolveSnapshotPair>>;
  try {
    pair = await loadOr404(() =>
      resolveSnapshotPair(viewer, id, repo, fromId, toId, undefined, { answerWithinMs: ANSWER_WITHIN_MS }),
    );
  } catch (err) {
    // Not answered yet (still reading): the page says so and asks again.
    if (!isExpectedError(err, 'unavailable')) throw err;
    return (
      <div className="mx-auto max-w-7xl space-y-4">
        <PageHeader title="Compare snapshots" />
        <RefreshWhile active />
        <FreshnessNote freshness={{ state: 'reading' }} what="the repository's snapshots" now={0} />
      </div>
    );
  }
  // Always older → newer (resolveSnapshotPair swaps a reversed pair), so the footer's "newer" is true.
  const { from, to, swapped } = pair;
  const repoHref = `/datastores/${id}/repos/${repo}`;
  const link = (s: SnapshotRow) => (
    <Link href={`${repoHref}/snapshots/${s.id}`} className="font-mono text-brand-600 hover:underline">
      {s.shortId}
    </Link>
  );
  return (
    <div className="mx-auto max-w-7xl space-y-4">
      <PageHeader
        title="Compare snapshots"
        subtitle={
          <>
            {link(from.snapshot)} ({formatDate(from.snapshot.time)}) → {link(to)} ({formatDate(to.time)}) in repository{' '}
            <Link href={repoHref} className="text-brand-600 hover:underline">
              {repo}
            </Link>
          </>
        }
      />
      {swapped && (
        <p
          role="status"
          className="rounded border border-amber-300 bg-amber-50 px-4 py-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950/40 dark:text-amber-200"
          data-testid="compare-swapped"
        >
          The snapshots were given newer first: compared older → newer ({from.snapshot.shortId} → {to.shortId}).
        </p>
      )}
      {from.snapshot.vmId !== to.vmId && (
        <p
          role="status"
          className="rounded border border-amber-300 bg-amber-50 px-4 py-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950/40 dark:text-amber-200"
          data-testid="compare-two-vms"
        >
          These are backups of two different VMs ({from.snapshot.vmId ?? 'none named'} and {to.vmId ?? 'none named'}).
        </p>
      )}
      <Panel>
        <CompareForm
          action={`${repoHref}/snapshots/compare`}
          from={from.snapshot.id}
          to={to.id}
          snapshots={from.detail.snapshots.map((x) => ({ id: x.id, shortId: x.shortId, time: x.time, vmId: x.vmId }))}
        />
      </Panel>
      <Suspense
        fallback={<div aria-busy="true" className="h-40 animate-pulse rounded-lg bg-slate-100 dark:bg-slate-800/50" />}
      >
        <DiffSection from={from} to={to} deadline={deadline} />
      </Suspense>
    </div>
  );
}
