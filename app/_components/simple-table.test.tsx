import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { SimpleTable, type SimpleColumn } from './simple-table';

type Row = { id: number; name: string; size: number };
const ROWS: Row[] = [
  { id: 1, name: 'disk.0.0', size: 10 },
  { id: 2, name: 'vm.xml', size: 2 },
];
const COLUMNS: SimpleColumn<Row>[] = [
  { header: 'Name', cell: (r) => r.name },
  { header: 'Size', align: 'right', testId: (r) => `size-${r.name}`, cell: (r) => r.size },
];

describe('SimpleTable', () => {
  it('renders a header, one row per item with its test id and data attributes, and cell test ids', () => {
    const html = renderToStaticMarkup(
      <SimpleTable
        testId="files"
        rows={ROWS}
        rowKey={(r) => r.id}
        rowTestId={(r) => `row-${r.name}`}
        rowData={(r) => ({ 'data-kind': r.name === 'vm.xml' ? 'xml' : 'disk' })}
        columns={COLUMNS}
      />,
    );
    expect(html).toContain('data-testid="files"');
    expect(html.match(/<th /g)).toHaveLength(2);
    expect(html.match(/<tbody[^>]*>.*<\/tbody>/)?.[0].match(/<tr /g)).toHaveLength(2);
    expect(html).toContain('<tr data-testid="row-vm.xml" data-kind="xml">');
    expect(html).toMatch(/<td class="[^"]*text-right[^"]*" data-testid="size-disk.0.0">10<\/td>/);
  });

  it('has no header row when no column has a header (a key/value list)', () => {
    const html = renderToStaticMarkup(
      <SimpleTable rows={ROWS} rowKey={(r) => r.id} columns={COLUMNS.map((c) => ({ ...c, header: undefined }))} />,
    );
    expect(html).not.toContain('<thead');
  });

  it('adds a full-width row under the rows that have a detail, and the empty text when there are none', () => {
    const detail = renderToStaticMarkup(
      <SimpleTable
        rows={ROWS}
        rowKey={(r) => r.id}
        columns={COLUMNS}
        detail={(r) => r.name === 'vm.xml' && <p>changes</p>}
      />,
    );
    expect(detail.match(/colSpan="2"|colspan="2"/g)).toHaveLength(1);
    expect(detail).toContain('<p>changes</p>');
    const empty = renderToStaticMarkup(
      <SimpleTable rows={[]} rowKey={(r: Row) => r.id} columns={COLUMNS} empty="Nothing recorded yet." />,
    );
    expect(empty).toContain('Nothing recorded yet.');
    expect(renderToStaticMarkup(<SimpleTable rows={[]} rowKey={(r: Row) => r.id} columns={COLUMNS} />)).not.toContain(
      'colspan',
    );
  });
});
