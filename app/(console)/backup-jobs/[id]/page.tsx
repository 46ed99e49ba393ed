import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import type { ReactNode } from 'react';
import { requireViewer } from '@/lib/auth';
import { backupJobDetailWithin, isRunning, VM_GROUPS, type BackupJobDetail } from '@/lib/backup-jobs';
import { isExpectedError } from '@/lib/errors';
import { IdParam } from '@/lib/schemas/ids';
import { parseParam } from '@/lib/schemas/params';
import { FreshnessNote } from '@/app/_components/freshness-note';
import { answerDeadline } from '@/app/_components/load';
import { PageHeader, Panel } from '@/app/_components/panel';
import { RefreshWhile } from '@/app/_components/refresh-while';
import { SimpleTable } from '@/app/_components/simple-table';
import { formatAge, formatDate } from '@/app/_components/format';
import { formatDuration } from '../_components/duration';
import { JobStatusBadge } from '../_components/job-status-badge';
import { scheduleText } from '../_components/schedule-text';
import { JobActions } from './_components/job-actions';

type Props = { params: Promise<{ id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const id = parseParam(IdParam, (await params).id);
  // The job's name only on its page (after the viewer check); the title stays neutral.
  return { title: id === undefined ? 'Not found' : `Backup Job ${id}` };
}

const link = 'font-medium text-brand-600 hover:underline dark:text-brand-400';

export default async function BackupJobPage({ params }: Props) {
  const id = parseParam(IdParam, (await params).id);
  if (id === undefined) notFound();
  const viewer = await requireViewer(`/backup-jobs/${id}`);
  const { at } = answerDeadline();
  let read: Awaited<ReturnType<typeof backupJobDetailWithin>>;
  try {
    read = await backupJobDetailWithin(viewer, id);
  } catch (err) {
    // OpenNebula has not shown the job yet (oned is slow): the page says so and asks again.
    if (!isExpectedError(err, 'unavailable')) throw err;
    return (
      <div className="mx-auto max-w-6xl space-y-4">
        <PageHeader title={`Backup Job ${id}`} />
        <FreshnessNote freshness={{ state: 'reading' }} what={`Backup Job ${id}`} now={0} source="opennebula" />
        <RefreshWhile active />
      </div>
    );
  }
  const detail = read.value;
  if (!detail) notFound();
  const { job, status } = detail;
  const running = isRunning(job);
  // A canceled run's backups end a little later (they fail at their next step): follow them too,
  // and settle: the job and its VMs are two reads, so the first answer after a backup ends can
  // show the VM done and the job not yet listing it in ERROR_VMS.
  const active = running || [...detail.vms.values()].some((v) => v.backingUp);
  return (
    <div className="mx-auto max-w-6xl space-y-4" data-testid="backup-job" data-status={status}>
      <PageHeader
        title={
          <span className="flex items-center gap-3">
            <span data-testid="backup-job-name">{job.name}</span>
            <JobStatusBadge status={status} />
          </span>
        }
        subtitle={`OpenNebula Backup Job ${job.id}, owned by ${job.uname}`}
      />
      <FreshnessNote freshness={read.freshness} what="the Backup Job" now={at} source="opennebula" />
      <Panel title="Run">
        <div className="px-4 py-3">
          <JobActions jobId={job.id} name={job.name} hasErrors={job.errorVms.length > 0} running={running} />
        </div>
      </Panel>
      <div className="grid gap-4 lg:grid-cols-2">
        <Panel title="Attributes" testId="backup-job-attributes">
          <Attributes detail={detail} />
        </Panel>
        <Panel title="Virtual machines" testId="backup-job-vms">
          <VmGroups detail={detail} />
        </Panel>
      </div>
      <RefreshWhile active={active || read.freshness.state !== 'fresh'} settle />
    </div>
  );
}

function Attributes({ detail }: { detail: BackupJobDetail }) {
  const { job, datastore } = detail;
  const schedule = scheduleText(job.schedActions);
  const rows: [string, ReactNode, string?][] = [
    ['ID', job.id],
    ['Owner', `${job.uname} (group ${job.gname})`],
    [
      'Datastore',
      datastore === undefined ? (
        '—'
      ) : datastore.name === undefined ? (
        `ID ${datastore.id}`
      ) : (
        <Link href={`/datastores/${datastore.id}`} className={link} data-testid="backup-job-datastore">
          {datastore.name} ({datastore.id})
        </Link>
      ),
    ],
    ['Mode', job.mode ?? 'FULL', 'mode'],
    ['Keep last', job.keepLast ? String(job.keepLast) : 'all backups', 'keep-last'],
    ['Priority', job.priority, 'priority'],
    ['FS freeze', job.fsFreeze ?? 'NONE'],
    ['Execution', job.execution ?? 'SEQUENTIAL'],
    ['Volatile disks', job.backupVolatile ? 'backed up' : 'not backed up'],
    ['Schedule', schedule ? `${schedule.text}${schedule.next ? `, next ${schedule.next}` : ''}` : 'none', 'schedule'],
    [
      'Last run',
      job.lastBackupTime === 0 ? (
        'never'
      ) : (
        <span title={formatDate(job.lastBackupTime * 1000, { seconds: true })}>
          {formatDate(job.lastBackupTime * 1000, { seconds: true })} ({formatAge(job.lastBackupTime * 1000)})
        </span>
      ),
      'last-run',
    ],
    ['Last duration', job.lastBackupTime === 0 ? '—' : formatDuration(job.lastBackupDuration), 'duration'],
  ];
  return (
    <div className="space-y-2 pb-2">
      <SimpleTable
        rows={rows}
        columns={[
          { cell: ([k]) => <span className="text-slate-500">{k}</span>, className: 'w-40' },
          { cell: ([, v]) => v, testId: ([k, , t]) => `attr-${t ?? k.toLowerCase().replace(/\W+/g, '-')}` },
        ]}
      />
      {job.error && (
        <p role="alert" data-testid="backup-job-error" className="px-4 text-sm text-red-600 dark:text-red-400">
          OpenNebula: {job.error}
        </p>
      )}
    </div>
  );
}

function VmGroups({ detail }: { detail: BackupJobDetail }) {
  const { job, vms } = detail;
  const listed = new Set(VM_GROUPS.flatMap((g) => job[g.key]));
  const notRun = job.vmIds.filter((v) => !listed.has(v));
  const groups = [
    ...VM_GROUPS.map((g) => ({ key: g.label, label: g.label, words: g.words, ids: job[g.key] })),
    { key: 'NOT_RUN', label: 'Not in the last run', words: 'added since, or never run', ids: notRun },
  ];
  return (
    <div className="divide-y divide-slate-200 dark:divide-slate-800">
      {groups.map((g) => (
        <section key={g.key} data-testid={`vm-group-${g.key}`} data-count={g.ids.length} className="px-4 py-2.5">
          <h3 className="text-xs font-semibold tracking-wide text-slate-500 uppercase">
            {g.label} <span className="tabular-nums">({g.ids.length})</span>{' '}
            <span className="font-normal tracking-normal normal-case">{g.words}</span>
          </h3>
          {g.ids.length === 0 ? (
            <p className="text-sm text-slate-400 dark:text-slate-500">none</p>
          ) : (
            <ul className="mt-1 space-y-0.5 text-sm">
              {g.ids.map((vmId) => {
                const vm = vms.get(vmId);
                return (
                  <li key={vmId} data-testid={`job-vm-${vmId}`}>
                    {vm ? (
                      <>
                        {/* No prefetch: a VM's page may not exist yet in this build (a 404 prefetch never settles). */}
                        <Link href={`/vms/${vmId}`} className={link} prefetch={false}>
                          {vm.name}
                        </Link>{' '}
                        <span className="text-slate-500">
                          (VM {vmId}, {vm.uname}, {vm.state === 'ACTIVE' ? vm.lcmState : vm.state})
                        </span>
                      </>
                    ) : (
                      <span className="text-slate-500">VM {vmId}</span>
                    )}
                  </li>
                );
              })}
            </ul>
          )}
        </section>
      ))}
    </div>
  );
}
