'use client';

import type { ColumnDef } from '@tanstack/react-table';
import Link from 'next/link';
import type { DatastoreInfo } from '@/lib/catalog';
import { Badge } from '@/app/_components/badge';
import { CapacityBar } from '@/app/_components/capacity-bar';
import { DataTable } from '@/app/_components/data-table';

const TYPE_LABEL: Record<string, string> = {
  IMAGE_DS: 'Image',
  SYSTEM_DS: 'System',
  FILE_DS: 'File',
  BACKUP_DS: 'Backup',
};

const columns: ColumnDef<DatastoreInfo, unknown>[] = [
  { accessorKey: 'id', header: 'ID', cell: (c) => <span className="tabular-nums">{c.row.original.id}</span> },
  {
    accessorKey: 'name',
    header: 'Name',
    cell: ({ row }) => (
      <Link href={`/datastores/${row.original.id}`} className="font-medium text-brand-600 hover:underline">
        {row.original.name}
      </Link>
    ),
  },
  {
    id: 'capacity',
    header: 'Capacity',
    accessorFn: (d) => (d.totalMb > 0 ? 1 - d.freeMb / d.totalMb : -1),
    cell: ({ row }) => (
      <CapacityBar
        usedMb={row.original.usedMb}
        freeMb={row.original.freeMb}
        totalMb={row.original.totalMb}
        source="OpenNebula's monitor"
        testId={`capacity-${row.original.id}`}
      />
    ),
  },
  {
    id: 'clusters',
    header: 'Clusters',
    accessorFn: (d) => d.clusterIds.join(', '),
    cell: (c) => c.getValue<string>() || '—',
  },
  {
    accessorKey: 'imageCount',
    header: 'Images',
    cell: (c) => <span className="tabular-nums">{c.getValue<number>()}</span>,
  },
  {
    id: 'type',
    header: 'Type',
    accessorFn: (d) => `${TYPE_LABEL[d.type] ?? d.type}${d.isRestic ? ' restic' : ''}`,
    cell: ({ row }) => (
      <span className="flex items-center gap-1.5">
        {TYPE_LABEL[row.original.type] ?? row.original.type}
        {row.original.isRestic && <Badge tone="info">restic</Badge>}
      </span>
    ),
  },
  {
    id: 'drivers',
    header: 'DS / TM',
    accessorFn: (d) => `${d.dsMad} / ${d.tmMad}`,
    cell: (c) => <code className="text-xs">{c.getValue<string>()}</code>,
  },
  {
    accessorKey: 'state',
    header: 'State',
    cell: (c) => <Badge tone={c.getValue<string>() === 'READY' ? 'ok' : 'warning'}>{c.getValue<string>()}</Badge>,
  },
];

export function DatastoresTable({ datastores }: { datastores: DatastoreInfo[] }) {
  return (
    <DataTable
      data={datastores}
      columns={columns}
      searchPlaceholder="Filter datastores…"
      rowTestId={(d) => `datastore-row-${d.id}`}
      empty="OpenNebula shows you no datastore."
      testId="datastores-table"
    />
  );
}
