'use client';

import type { ColumnDef } from '@tanstack/react-table';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useMemo } from 'react';
import type { SnapshotRow } from '@/lib/catalog';
import { Badge } from '../../../../../../_components/badge';
import { DataTable } from '../../../../../../_components/data-table';
import { formatAge, formatBytes, formatDate } from '../../../../../../_components/format';
import { Panel } from '../../../../../../_components/panel';
import { CompareForm } from '../snapshots/_components/compare-form';

const columnsFor = (repoHref: string): ColumnDef<SnapshotRow, unknown>[] => [
  {
    accessorKey: 'shortId',
    header: 'Snapshot',
    cell: ({ row }) => (
      <Link
        href={`${repoHref}/snapshots/${row.original.id}`}
        className="font-mono text-xs text-brand-600 hover:underline"
        data-testid={`snapshot-link-${row.original.shortId}`}
      >
        {row.original.shortId}
      </Link>
    ),
  },
  {
    accessorKey: 'time',
    header: 'Time',
    cell: ({ row }) => (
      <span className="whitespace-nowrap" title={formatAge(row.original.time)}>
        {formatDate(row.original.time)}
      </span>
    ),
  },
  { accessorKey: 'hostname', header: 'Host' },
  {
    id: 'vm',
    header: 'VM',
    accessorFn: (s) => s.vmId ?? -1,
    cell: ({ row }) => (row.original.vmId === undefined ? '—' : row.original.vmId),
  },
  {
    id: 'tags',
    header: 'Tags',
    accessorFn: (s) => s.tags.join(' '),
    cell: (c) => <span className="font-mono text-xs">{c.getValue<string>()}</span>,
  },
  {
    id: 'disks',
    header: 'Disks',
    accessorFn: (s) => s.disks.map((d) => `disk.${d.diskId}.${d.increment}`).join(' '),
    cell: (c) => <span className="font-mono text-xs">{c.getValue<string>() || '—'}</span>,
  },
  {
    id: 'size',
    header: 'Size',
    accessorFn: (s) => s.logicalBytes ?? -1,
    cell: ({ row }) => <span className="tabular-nums">{formatBytes(row.original.logicalBytes)}</span>,
  },
  {
    id: 'image',
    header: 'Image / increment',
    accessorFn: (s) =>
      s.imageId === undefined ? 'orphan' : `${s.imageId} ${s.incrementId ?? ''} ${s.incrementType ?? ''}`,
    cell: ({ row: { original: s } }) =>
      s.imageId !== undefined ? (
        <span className="whitespace-nowrap">
          image {s.imageId} · {s.incrementType === 'INCREMENT' ? 'increment' : 'full'} {s.incrementId}
        </span>
      ) : (
        <Badge
          tone={s.orphanFlagged ? 'warning' : 'muted'}
          title={
            s.orphanFlagged
              ? 'No image or increment refers to this snapshot.'
              : 'Recent: may belong to a backup still under way.'
          }
        >
          {s.orphanFlagged ? 'orphan' : 'no image yet'}
        </Badge>
      ),
  },
];

export function SnapshotsTable({ snapshots }: { snapshots: SnapshotRow[] }) {
  // This table lives on the repository page: its path is the repository's.
  const repoHref = usePathname().replace(/\/+$/, '');
  const columns = useMemo(() => columnsFor(repoHref), [repoHref]);
  return (
    <Panel title="Snapshots">
      <DataTable
        data={snapshots}
        columns={columns}
        toolbar={
          snapshots.length >= 2 ? (
            <CompareForm
              action={`${repoHref}/snapshots/compare`}
              snapshots={snapshots.map((s) => ({ id: s.id, shortId: s.shortId, time: s.time }))}
            />
          ) : undefined
        }
        initialSorting={[{ id: 'time', desc: true }]}
        searchPlaceholder="Search by ID, host, tag, disk, image…"
        virtualize
        rowHeight={40}
        maxHeight={640}
        rowTestId={(s) => `snapshot-row-${s.shortId}`}
        empty="No snapshots."
        testId="snapshots-table"
      />
    </Panel>
  );
}
