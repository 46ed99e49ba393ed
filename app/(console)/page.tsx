import type { Metadata } from 'next';
import Link from 'next/link';
import { requireViewer } from '@/lib/auth';
import { readHealth, type AttentionItem, type HealthReport, type Severity } from '@/lib/health';
import { scheduleViews } from '@/lib/schedules';
import type { RunOutcome, ScheduleView } from '@/lib/schemas/schedules';
import { Badge, type Tone } from '@/app/_components/badge';
import { formatAge } from '@/app/_components/format';
import { PageHeader, Panel } from '@/app/_components/panel';
import { FreshnessNote } from '@/app/_components/freshness-note';
import { RefreshWhile } from '@/app/_components/refresh-while';

export const metadata: Metadata = { title: 'Dashboard' };
// What needs attention now: read at request time, within the pages' bound (lib/health).
export const dynamic = 'force-dynamic';

/** Beyond this many, the list says how many more: the worst are at the top. */
const SHOWN = 100;

const TONE: Record<Severity, Tone> = { critical: 'error', warning: 'warning', info: 'info' };
const WORD: Record<Severity, string> = { critical: 'critical', warning: 'warning', info: 'info' };

/** The VM protection line ("212 VMs: 205 protected, 4 overdue, 3 never"), each count a link to its VMs. */
function ProtectionSummary({ protection }: { protection: HealthReport['protection'] }) {
  if (!protection) return null;
  const parts: { status: string; n: number; words: string }[] = [
    { status: 'protected', n: protection.protected, words: 'protected' },
    { status: 'overdue', n: protection.overdue, words: 'overdue' },
    { status: 'never', n: protection.never, words: 'never' },
    { status: 'failed', n: protection.failed, words: 'failed' },
    { status: 'backing-up', n: protection.backingUp, words: 'backing up' },
  ].filter((p) => p.status === 'protected' || p.n > 0);
  return (
    <p data-testid="protection-summary" className="text-lg font-medium">
      <Link href="/vms" className="hover:underline">
        {protection.total} VMs
      </Link>
      :{' '}
      {parts.map((p, i) => (
        <span key={p.status}>
          {i > 0 && ', '}
          <Link href={`/vms?status=${p.status}`} className="text-brand-600 hover:underline">
            {p.n} {p.words}
          </Link>
        </span>
      ))}
    </p>
  );
}

function Item({ item }: { item: AttentionItem }) {
  return (
    <li
      data-testid="attention-item"
      data-kind={item.kind}
      data-datastore={item.datastoreId}
      data-repository={item.repository}
      data-vm={item.vmId}
      data-backup-job={item.backupJobId}
      data-count={item.count}
      className="flex flex-wrap items-start justify-between gap-3 px-4 py-3"
    >
      <div className="min-w-0 flex-1">
        <div className="flex flex-wrap items-center gap-2">
          <Badge tone={TONE[item.severity]}>{WORD[item.severity]}</Badge>
          <span className="text-sm font-medium" data-testid="attention-title">
            {item.title}
          </span>
        </div>
        {item.detail && <p className="mt-1 break-words text-xs text-slate-600 dark:text-slate-400">{item.detail}</p>}
      </div>
      {item.fix && (
        <Link
          href={item.fix.href}
          data-testid="attention-fix"
          className="shrink-0 rounded-md border border-slate-300 px-2.5 py-1 text-sm font-medium text-brand-600 hover:border-brand-500 dark:border-slate-700"
        >
          {item.fix.label}
        </Link>
      )}
    </li>
  );
}

const RUN_TONE: Record<RunOutcome, Tone> = {
  ok: 'ok',
  failed: 'error',
  skipped: 'warning',
  canceled: 'info',
  interrupted: 'warning',
};

function VerifyLine({ verify, now }: { verify: ScheduleView; now: number }) {
  const last = verify.last;
  return (
    <>
      verify{' '}
      {last ? (
        <>
          last {formatAge(last.startedAt, now)}{' '}
          {verify.running ? (
            <Badge tone="info">running</Badge>
          ) : (
            last.outcome && <Badge tone={RUN_TONE[last.outcome]}>{last.outcome}</Badge>
          )}
          {last.jobId !== undefined && (
            <>
              {' '}
              <Link href={`/jobs/${last.jobId}`} className="text-brand-600 hover:underline">
                job {last.jobId}
              </Link>
            </>
          )}
        </>
      ) : (
        'never run'
      )}
      {', next '}
      {verify.nextAt === undefined ? 'off' : verify.nextAt <= now ? 'now' : formatAge(verify.nextAt, now)}
    </>
  );
}

/**
 * Admins: a line per datastore with its verify schedule (last run and outcome, next run) from
 * Backstone's own store; no read of a server waits for it.
 */
function ScheduleLines({ datastores, now }: { datastores: HealthReport['datastores']; now: number }) {
  const rows = datastores.flatMap((d) => {
    const verify = scheduleViews(d.id).find((s) => s.kind === 'verify');
    return verify ? [{ d, verify }] : [];
  });
  if (rows.length === 0) return null;
  return (
    <ul className="space-y-0.5 text-xs text-slate-500 dark:text-slate-400" data-testid="home-schedules">
      {rows.map(({ d, verify }) => (
        <li key={d.id} data-testid={`home-schedule-${d.id}`}>
          Schedules of{' '}
          <Link href={`/datastores/${d.id}?tab=maintenance`} className="underline-offset-2 hover:underline">
            {d.name}
          </Link>
          : <VerifyLine verify={verify} now={now} />
        </li>
      ))}
    </ul>
  );
}

export default async function HomePage() {
  const viewer = await requireViewer('/');
  const report = await readHealth(viewer);
  const shown = report.items.slice(0, SHOWN);
  const reading = report.datastores.filter((d) => d.state === 'reading');
  return (
    <div className="mx-auto max-w-5xl space-y-4">
      <RefreshWhile active={report.incomplete} />
      <PageHeader
        title="Dashboard"
        subtitle={
          viewer.isAdmin
            ? 'What needs attention now across every restic backup datastore, worst first.'
            : 'What needs attention now about the backups of your VMs, worst first.'
        }
      />
      {/* VM protection (lib/protection, another part of issue 25) goes here, above the list. */}
      <FreshnessNote
        freshness={report.opennebula}
        what="the datastores, VMs and Backup Jobs"
        now={report.generatedAt}
        source="opennebula"
      />
      <ProtectionSummary protection={report.protection} />
      {reading.length > 0 && (
        <p
          role="status"
          aria-live="polite"
          data-testid="health-reading"
          className="rounded-lg border border-amber-300 bg-amber-50 px-4 py-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950/40 dark:text-amber-200"
        >
          Still reading {reading.map((d) => d.name).join(', ')} (from the backup server or OpenNebula); what is not read
          yet is not listed below. This page updates by itself.
        </p>
      )}
      <Panel
        testId="attention"
        title={
          <>
            Needs attention <span className="font-normal text-slate-500">({report.items.length})</span>
          </>
        }
      >
        {shown.length === 0 ? (
          <p data-testid="all-clear" className="px-4 py-6 text-sm text-slate-600 dark:text-slate-400">
            {report.opennebula.state === 'reading'
              ? 'Nothing to show until OpenNebula answers.'
              : report.datastores.length === 0
                ? 'No restic backup datastore is visible to you yet.'
                : 'Nothing needs attention: every datastore read so far is healthy.'}
          </p>
        ) : (
          <ul className="divide-y divide-slate-100 dark:divide-slate-800" data-testid="attention-list">
            {shown.map((item, i) => (
              <Item
                key={`${item.kind}-${item.datastoreId ?? ''}-${item.repository ?? ''}-${item.jobId ?? ''}-${i}`}
                item={item}
              />
            ))}
          </ul>
        )}
        {report.items.length > shown.length && (
          <p className="border-t border-slate-200 px-4 py-2 text-xs text-slate-500 dark:border-slate-800">
            and {report.items.length - shown.length} more, less urgent.
          </p>
        )}
      </Panel>
      {report.datastores.length > 0 && (
        <p className="text-xs text-slate-500 dark:text-slate-400" data-testid="health-datastores">
          Read:{' '}
          {report.datastores.map((d, i) => (
            <span key={d.id}>
              {i > 0 && ', '}
              <Link href={`/datastores/${d.id}`} className="underline-offset-2 hover:underline">
                {d.name}
              </Link>{' '}
              ({d.state === 'read' ? `${d.repositories} repositories` : d.state === 'reading' ? 'reading' : 'failed'})
            </span>
          ))}
        </p>
      )}
      {viewer.isAdmin && <ScheduleLines datastores={report.datastores} now={report.generatedAt} />}
    </div>
  );
}
