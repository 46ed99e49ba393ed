'use client';

import type { ColumnDef } from '@tanstack/react-table';
import type { SnapshotRow } from '@/lib/catalog';
import { Badge } from '../../../../../../_components/badge';
import { DataTable } from '../../../../../../_components/data-table';
import { formatAge, formatBytes, formatDate } from '../../../../../../_components/format';
import { Panel } from '../../../../../../_components/panel';

const columns: ColumnDef<SnapshotRow, unknown>[] = [
  { accessorKey: 'shortId', header: 'Snapshot', cell: (c) => <code className="text-xs">{c.getValue<string>()}</code> },
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
  return (
    <Panel title="Snapshots">
      <DataTable
        data={snapshots}
        columns={columns}
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
