import Link from 'next/link';
import type { WatchedStaleLock } from '@/lib/schedules';
import { intervalWords, SCHEDULE_LABELS, type ScheduleView, type RunOutcome } from '@/lib/schemas/schedules';
import { Badge, type Tone } from '@/app/_components/badge';
import { formatAge, formatDate } from '@/app/_components/format';
import { Panel } from '@/app/_components/panel';
import { RunAllForms } from './run-all-forms';
import { ScheduleForm } from './schedule-form';

const OUTCOME_TONE: Readonly<Record<RunOutcome, Tone>> = {
  ok: 'ok',
  failed: 'error',
  skipped: 'warning',
  canceled: 'muted',
  interrupted: 'warning',
};

const WHAT: Readonly<Record<ScheduleView['kind'], string>> = {
  verify: 'restic check of every repository, reading 1/N of the data each run',
  prune: 'restic prune of every repository; skipped while a backup to this datastore runs',
  'lock-watch': 'finds locks; raises one stale for longer than the threshold',
  capacity: 'records df of BASE_PATH for the Capacity tab',
};

function settings(s: ScheduleView): string {
  if (s.kind === 'verify') return `N = ${s.subsets}; next subset ${s.nextSubset}/${s.subsets}`;
  if (s.kind === 'lock-watch')
    return `stale for ${Math.round((s.staleAfterSeconds ?? 0) / 60)} min; auto-removal ${s.autoUnlock ? 'on' : 'off'}`;
  return '';
}

/** What the lock watch holds now: each stale lock with when it was first seen stale. */
function StaleLocks({ locks, now }: { locks: WatchedStaleLock[]; now: number }) {
  if (locks.length === 0) return null;
  return (
    <ul className="mt-1 space-y-0.5 text-xs" data-testid="watched-stale-locks">
      {locks.map((l) => (
        <li key={`${l.repository}/${l.lockId}`}>
          <Badge tone={l.beyondThreshold ? 'error' : 'warning'}>stale</Badge> lock {l.lockId.slice(0, 8)} of repository{' '}
          <span className="font-mono">{l.repository}</span> (PID {l.pid} on {l.hostname}), first seen stale{' '}
          {formatAge(l.firstSeenAt, now)}
        </li>
      ))}
    </ul>
  );
}

function LastRun({ s, now }: { s: ScheduleView; now: number }) {
  if (!s.last) return <span className="text-slate-400">never</span>;
  const l = s.last;
  return (
    <span className="space-x-1" title={l.message}>
      <span>{formatAge(l.startedAt, now)}</span>
      {s.running ? (
        <Badge tone="info">running</Badge>
      ) : l.outcome ? (
        <Badge tone={OUTCOME_TONE[l.outcome]} testId={`schedule-outcome-${s.kind}`}>
          {l.outcome}
        </Badge>
      ) : null}
      {l.jobId !== undefined && (
        <Link
          href={`/jobs/${l.jobId}`}
          className="text-brand-600 hover:underline"
          data-testid={`schedule-job-${s.kind}`}
        >
          job {l.jobId}
        </Link>
      )}
      {l.trigger === 'manual' && <span className="text-xs text-slate-500">(by hand)</span>}
    </span>
  );
}

function NextRun({ s, now }: { s: ScheduleView; now: number }) {
  if (s.nextAt === undefined) return <span className="text-slate-400">off</span>;
  if (s.running) return <span className="text-slate-500">after this run</span>;
  return <span title={formatDate(s.nextAt)}>{s.nextAt <= now ? 'at the next tick' : formatAge(s.nextAt, now)}</span>;
}

/** The datastore's schedules (admins only): each with its last and next run, a form to change it, and "… all". */
export function SchedulesPanel({
  datastoreId,
  datastoreName,
  schedules,
  staleLocks,
  now,
}: {
  datastoreId: number;
  datastoreName: string;
  schedules: ScheduleView[];
  staleLocks: WatchedStaleLock[];
  now: number;
}) {
  return (
    <Panel title="Schedules" testId="schedules-panel">
      <ul className="divide-y divide-slate-100 dark:divide-slate-800">
        {schedules.map((s) => (
          <li key={s.kind} className="px-4 py-3 text-sm" data-testid={`schedule-${s.kind}`}>
            <div className="grid gap-2 md:grid-cols-[12rem_1fr_1fr_1fr]">
              <div>
                <div className="font-medium">
                  {SCHEDULE_LABELS[s.kind]} {s.enabled ? <Badge tone="ok">on</Badge> : <Badge tone="muted">off</Badge>}{' '}
                  {s.isDefault && <Badge tone="muted">default</Badge>}
                </div>
                <div className="text-xs text-slate-500">{WHAT[s.kind]}</div>
              </div>
              <div>
                <span data-testid={`schedule-interval-${s.kind}`}>{intervalWords(s.intervalSeconds)}</span>
                {settings(s) && <div className="text-xs text-slate-500">{settings(s)}</div>}
                {s.kind === 'lock-watch' && <StaleLocks locks={staleLocks} now={now} />}
              </div>
              <div>
                <span className="text-xs text-slate-500">Last run </span>
                <LastRun s={s} now={now} />
              </div>
              <div>
                <span className="text-xs text-slate-500">Next run </span>
                <NextRun s={s} now={now} />
              </div>
            </div>
            <details className="mt-2">
              <summary className="cursor-pointer text-xs text-brand-600" data-testid={`schedule-change-${s.kind}`}>
                Change
              </summary>
              <div className="mt-2">
                <ScheduleForm datastoreId={datastoreId} schedule={s} />
              </div>
            </details>
          </li>
        ))}
      </ul>
      <div className="border-t border-slate-100 dark:border-slate-800">
        <RunAllForms datastoreId={datastoreId} datastoreName={datastoreName} />
      </div>
    </Panel>
  );
}
