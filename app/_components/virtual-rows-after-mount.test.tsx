import { renderToReadableStream } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { DataTable } from './data-table';
import { VirtualRowsAfterMount } from './virtual-rows-after-mount';

// The large tables (VMs, snapshots) are streamed by the server. Their virtualizer used to be a lazy
// boundary, resolved during the stream and so sent twice: the plain first rows as its fallback, then
// the virtualizer's rows in a hidden segment swapped in by a script. Until that script ran (late on
// a busy machine) every row was in the page twice, so a lookup by row found two.
describe('VirtualRowsAfterMount', () => {
  it('streams each of the first rows once, in the table', async () => {
    // Read as it is produced (not after allReady), as a browser receives it.
    const data = Array.from({ length: 500 }, (_, i) => ({ id: `row-${i}` }));
    const stream = await renderToReadableStream(
      <DataTable
        data={data}
        columns={[{ accessorKey: 'id', header: 'ID' }]}
        rowsComponent={VirtualRowsAfterMount}
        rowHeight={40}
        maxHeight={640}
        rowTestId={(r) => r.id}
      />,
    );
    const html = await new Response(stream).text();
    const rows = html.match(/data-testid="row-\d+"/g) ?? [];
    expect(rows[0]).toBe('data-testid="row-0"');
    expect(rows.length).toBeGreaterThanOrEqual(16);
    expect(new Set(rows).size).toBe(rows.length);
    // Below them a spacer as tall as the other rows: the scroll area has its whole height at once.
    expect(html).toContain(`height:${(500 - rows.length) * 40}px`);
  });
});
