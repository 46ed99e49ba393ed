import { getCoreRowModel, useReactTable, type ColumnDef } from '@tanstack/react-table';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { BodyRow, TableFrame, type HeaderCell } from './table-frame';

type Vm = { id: number; name: string };
const COLUMNS: ColumnDef<Vm, unknown>[] = [
  { id: 'id', header: 'ID', cell: (c) => c.row.original.id },
  { id: 'name', header: 'Name', cell: (c) => c.row.original.name },
];

function Rows({ data }: { data: Vm[] }) {
  // eslint-disable-next-line react-hooks/incompatible-library
  const table = useReactTable({ data, columns: COLUMNS, getCoreRowModel: getCoreRowModel() });
  return (
    <>
      {table.getRowModel().rows.map((row) => (
        <BodyRow key={row.id} row={row} height={44} testId={`vm-${row.original.id}`} data={{ 'data-status': 'ok' }} />
      ))}
    </>
  );
}

const render = (headers: HeaderCell[], data: Vm[], empty?: string) =>
  renderToStaticMarkup(
    <TableFrame headerRows={[headers]} columnCount={headers.length} scrollRef={{ current: null }} empty={empty}>
      <Rows data={data} />
    </TableFrame>,
  );

describe('TableFrame', () => {
  it('sorts by link (server-sorted) or by button (in the browser), marking the sorted column', () => {
    const html = render(
      [
        { id: 'id', label: 'ID', sorted: 'asc', sort: { href: '/vms?sort=id&dir=desc', testId: 'sort-id' } },
        { id: 'name', label: 'Name', sorted: false, sort: { onClick: () => {} } },
        { id: 'chain', label: 'Chain' },
      ],
      [{ id: 7, name: 'web' }],
    );
    expect(html).toMatch(/<th [^>]*aria-sort="ascending"[^>]*><a [^>]*href="\/vms\?sort=id&amp;dir=desc"/);
    expect(html).toContain('data-testid="sort-id"');
    expect(html).toMatch(/<button type="button"[^>]*>Name<span aria-hidden="true">↕<\/span><\/button>/);
    expect(html).toMatch(/<th [^>]*>Chain<\/th>/);
    expect(html).toMatch(/<tr data-testid="vm-7" data-status="ok"[^>]*style="height:44px">/);
    expect(html.match(/<td /g)).toHaveLength(2);
  });

  it('shows its one empty row only when asked', () => {
    expect(render([{ id: 'id', label: 'ID' }], [], 'No VM matches these filters.')).toContain(
      '<td colSpan="1" class="px-3 py-8 text-center text-slate-500">No VM matches these filters.</td>',
    );
    expect(render([{ id: 'id', label: 'ID' }], [{ id: 1, name: 'a' }])).not.toContain('py-8');
  });
});
