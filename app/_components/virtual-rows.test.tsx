import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { DataTable } from './data-table';
import { VirtualRows } from './virtual-rows';

describe('VirtualRows', () => {
  it('renders the first screen of rows on the server, not a bare spacer', () => {
    // Rendered on the server, the rows are in the HTML and paint before any script has run.
    const data = Array.from({ length: 10_000 }, (_, i) => ({ id: `row-${i}` }));
    const html = renderToString(
      <DataTable
        data={data}
        columns={[{ accessorKey: 'id', header: 'ID' }]}
        rowsComponent={VirtualRows}
        rowHeight={40}
        maxHeight={640}
        rowTestId={(r) => r.id}
      />,
    );
    const rows = html.match(/data-testid="row-\d+"/g) ?? [];
    expect(rows[0]).toBe('data-testid="row-0"');
    // A screen of 640 / 40 = 16 rows plus the overscan; never the 10,000.
    expect(rows.length).toBeGreaterThanOrEqual(16);
    expect(rows.length).toBeLessThanOrEqual(40);
  });
});
