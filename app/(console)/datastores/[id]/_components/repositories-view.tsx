'use client';

import type { ColumnDef } from '@tanstack/react-table';
import Link from 'next/link';
import type { DatastoreOverview, RepositoryRow } from '@/lib/catalog';
import { compareRepositoryNames } from '@/lib/schemas/ids';
import { locksHref } from '@/app/_components/hrefs';
import { Badge } from '@/app/_components/badge';
import { DataTable } from '@/app/_components/data-table';
import { formatAge, formatBytes, formatDate } from '@/app/_components/format';
import { RelativeTime } from '@/app/_components/relative-time';
import { FreshnessNote } from '@/app/_components/freshness-note';
import { Panel } from '@/app/_components/panel';
import { SIZE_TERMS } from '@/app/_components/size-terms';
import { ProblemsList } from './problems-list';
import { useOverview } from './use-overview';

export function repositoryColumns(datastoreId: number): ColumnDef<RepositoryRow, unknown>[] {
  return [
    {
      accessorKey: 'name',
      header: 'Repository',
      // The server's order, VMs before job_N (TanStack's 'alphanumeric' puts job_N first).
      sortingFn: (a, b) => compareRepositoryNames(a.original.name, b.original.name),
      cell: ({ row }) => (
        <Link
          href={`/datastores/${datastoreId}/repos/${row.original.name}`}
          className="font-mono font-medium text-brand-600 hover:underline"
        >
          {row.original.name}
        </Link>
      ),
    },
    {
      id: 'belongs',
      header: 'VM or Backup Job',
      accessorFn: (r) =>
        r.kind === 'job'
          ? `job ${r.jobId} ${r.jobName ?? ''} ${(r.jobVms ?? []).map((v) => `${v.id} ${v.name ?? ''}`).join(' ')}`
          : `${r.vmId} ${r.vmName ?? ''} ${r.owner ?? ''}`,
      cell: ({ row: { original: r } }) =>
        r.kind === 'job' ? (
          <div>
            <span className="font-medium">Backup Job {r.jobId}</span>{' '}
            {r.jobName && <span className="text-slate-500">“{r.jobName}”</span>}
            <p className="text-xs text-slate-500">
              VMs: {(r.jobVms ?? []).map((v) => `${v.name ?? 'VM'} (${v.id})`).join(', ') || '—'}
            </p>
          </div>
        ) : (
          <div>
            <span className="font-medium">{r.vmName ?? `VM ${r.vmId}`}</span>{' '}
            <span className="text-slate-500">#{r.vmId}</span>
            {r.owner && <p className="text-xs text-slate-500">owner {r.owner}</p>}
          </div>
        ),
    },
    {
      accessorKey: 'snapshotCount',
      header: 'Snapshots',
      cell: (c) => <span className="tabular-nums">{c.getValue<number>()}</span>,
    },
    {
      accessorKey: 'lastBackupAt',
      header: 'Last backup',
      cell: ({ row }) =>
        row.original.consistency === 'pending' ? (
          <span className="text-xs text-slate-500">reading…</span>
        ) : row.original.lastBackupAt ? (
          <span title={formatDate(row.original.lastBackupAt)}>
            {formatDate(row.original.lastBackupAt)}
            <RelativeTime className="block text-xs text-slate-500" at={row.original.lastBackupAt} />
          </span>
        ) : (
          '—'
        ),
    },
    {
      accessorKey: 'logicalBytes',
      header: () => <abbr title={SIZE_TERMS.backupImages.hint}>{SIZE_TERMS.backupImages.label}</abbr>,
      cell: (c) => <span className="tabular-nums">{formatBytes(c.getValue<number>())}</span>,
    },
    {
      accessorKey: 'storedBytes',
      header: () => <abbr title={SIZE_TERMS.onDisk.hint}>{SIZE_TERMS.onDisk.label}</abbr>,
      cell: (c) => <span className="tabular-nums">{formatBytes(c.getValue<number | undefined>())}</span>,
    },
    {
      accessorKey: 'locks',
      header: 'Lock',
      cell: ({ row }) =>
        // Withheld (undefined) from a non-admin in a repository shared with other owners.
        row.original.locks === undefined ? (
          <span className="text-xs text-slate-500">—</span>
        ) : row.original.locks > 0 ? (
          <Link href={locksHref(datastoreId, row.original.name)} title="Inspect and remove locks (admins)">
            <Badge
              tone="warning"
              title={row.original.newestLockAt ? `newest lock ${formatAge(row.original.newestLockAt)}` : undefined}
              testId={`lock-${row.original.name}`}
            >
              locked ({row.original.locks})
            </Badge>
          </Link>
        ) : (
          <span className="text-xs text-slate-500">none</span>
        ),
    },
    {
      accessorKey: 'consistency',
      header: 'Consistency',
      cell: ({ row }) => {
        const r = row.original;
        if (r.consistency === 'pending')
          return (
            <Badge
              tone="muted"
              title="restic is reading this repository's new snapshots"
              testId={`consistency-${r.name}`}
            >
              reading…
            </Badge>
          );
        const tone = r.consistency === 'ok' ? 'ok' : r.consistency === 'warning' ? 'warning' : 'error';
        const label =
          r.consistency === 'ok' ? 'consistent' : `${r.problems.length} problem${r.problems.length === 1 ? '' : 's'}`;
        return (
          <Badge tone={tone} title={r.problems.map((p) => p.message).join('\n')} testId={`consistency-${r.name}`}>
            {label}
          </Badge>
        );
      },
    },
  ];
}

export function RepositoriesView({ initial }: { initial: DatastoreOverview }) {
  const id = initial.datastore.id;
  const { data, isFetching, error } = useOverview(id, initial);
  const t = data.totals;
  return (
    <div className="space-y-4">
      <div className="grid grid-cols-2 gap-3 md:grid-cols-4">
        {[
          ['Repositories', String(t.repositories)],
          ['Snapshots', String(t.snapshots)],
          [SIZE_TERMS.onDisk.label, formatBytes(t.storedBytes), SIZE_TERMS.onDisk.hint],
          [SIZE_TERMS.backupImages.label, formatBytes(t.logicalBytes), SIZE_TERMS.backupImages.hint],
        ].map(([label, value, hint]) => (
          <div
            key={label}
            title={hint}
            className="rounded-lg border border-slate-200 bg-white px-4 py-3 dark:border-slate-800 dark:bg-slate-900"
          >
            <p className="text-xs text-slate-500">{label}</p>
            <p className="text-xl font-semibold tabular-nums">{value}</p>
          </div>
        ))}
      </div>
      {/* The server's listing itself: stale (slow or failing server) or not read yet (or OpenNebula's side not yet). */}
      <FreshnessNote
        freshness={data.freshness}
        what="the repositories"
        now={data.generatedAt}
        source={data.freshnessSource ?? 'backup-server'}
      />
      {data.opennebula && data.freshnessSource !== 'opennebula' && (
        <FreshnessNote
          freshness={data.opennebula}
          what="the datastore, its images and VMs"
          now={data.generatedAt}
          source="opennebula"
        />
      )}
      {data.pending > 0 && (
        <p
          role="status"
          className="rounded-lg border border-sky-200 bg-sky-50 px-4 py-2 text-sm text-sky-900 dark:border-sky-900 dark:bg-sky-950/40 dark:text-sky-200"
          data-testid="overview-pending"
        >
          {`restic is reading the new snapshots of ${data.pending} repositor${data.pending === 1 ? 'y' : 'ies'} (each costs the backup server about half a second of CPU to open). Their last backup and consistency appear as they are read.`}
        </p>
      )}
      <Panel
        title="Repositories"
        actions={
          <span className="text-xs text-slate-500" data-testid="overview-freshness">
            {error ? (
              `refresh failed: ${error.message}`
            ) : isFetching ? (
              'refreshing…'
            ) : (
              <>
                as of <RelativeTime at={data.generatedAt} />
              </>
            )}
          </span>
        }
      >
        <DataTable
          data={data.repositories}
          columns={repositoryColumns(id)}
          initialSorting={[{ id: 'name', desc: false }]}
          searchPlaceholder="Filter by repository, VM, owner or job…"
          rowTestId={(r) => `repo-row-${r.name}`}
          empty="No repositories: no backup has been taken into this datastore yet."
          testId="repositories-table"
        />
      </Panel>
      <ProblemsList problems={data.problems} datastoreId={id} pending={data.pending} />
    </div>
  );
}
