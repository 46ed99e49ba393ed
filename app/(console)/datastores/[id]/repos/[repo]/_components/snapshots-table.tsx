'use client';

import { SIZE_TERMS } from '@/app/_components/size-terms';
import type { ColumnDef } from '@tanstack/react-table';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import type { SnapshotRow } from '@/lib/catalog';
import { Badge } from '@/app/_components/badge';
import { DataTable } from '@/app/_components/data-table';
import { VirtualRowsAfterMount } from '@/app/_components/virtual-rows-after-mount';
import { formatAge, formatBytes, formatDate } from '@/app/_components/format';
import { Panel } from '@/app/_components/panel';
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
    header: () => <abbr title={SIZE_TERMS.snapshotSize.hint}>{SIZE_TERMS.snapshotSize.label}</abbr>,
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

type Props = {
  /** The newest snapshots, rendered with the page. */
  initial: SnapshotRow[];
  /** How many the repository holds; when more than `initial`, the rest is fetched after the first paint. */
  total: number;
  /** The repository's API route (its `snapshots` field). */
  source: string;
};

/**
 * A repository's snapshots, virtualized. A repository may hold thousands: the page sends only the
 * newest (so the first rows paint at once, instead of after megabytes of HTML), then the table
 * fetches the whole list from the repository's API route.
 */
export function SnapshotsTable({ initial, total, source }: Props) {
  // This table lives on the repository page: its path is the repository's.
  const repoHref = usePathname().replace(/\/+$/, '');
  const columns = useMemo(() => columnsFor(repoHref), [repoHref]);
  const partial = total > initial.length;
  const all = useQuery({
    queryKey: ['repository-snapshots', source],
    queryFn: async ({ signal }) => {
      const res = await fetch(source, { signal });
      if (!res.ok) throw new Error(`The snapshot list could not be loaded (HTTP ${res.status}).`);
      return ((await res.json()) as { snapshots: SnapshotRow[] }).snapshots;
    },
    enabled: partial,
  });
  const snapshots = partial ? (all.data ?? initial) : initial;
  const note =
    !partial || all.data ? undefined : all.isError ? (
      <p className="text-sm text-red-600" data-testid="snapshots-partial">
        Showing the newest {initial.length} of {total}: {all.error.message}
      </p>
    ) : (
      <p className="text-sm text-slate-500" data-testid="snapshots-partial">
        Showing the newest {initial.length} of {total}; loading the rest…
      </p>
    );
  return (
    <Panel title="Snapshots">
      {note}
      <DataTable
        data={snapshots}
        columns={columns}
        toolbar={
          snapshots.length >= 2 ? (
            <CompareForm
              action={`${repoHref}/snapshots/compare`}
              snapshots={snapshots.map((s) => ({ id: s.id, shortId: s.shortId, time: s.time, vmId: s.vmId }))}
            />
          ) : undefined
        }
        initialSorting={[{ id: 'time', desc: true }]}
        searchPlaceholder="Search by ID, host, tag, disk, image…"
        rowsComponent={VirtualRowsAfterMount}
        rowHeight={40}
        maxHeight={640}
        rowTestId={(s) => `snapshot-row-${s.shortId}`}
        empty="No snapshots."
        testId="snapshots-table"
      />
    </Panel>
  );
}
