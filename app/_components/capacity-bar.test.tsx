import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { CapacityBar } from './capacity-bar';

const text = (html: string) => html.replace(/<[^>]+>/g, '').replace(/&#x27;/g, "'");

describe('CapacityBar', () => {
  it('says what is free from the available space, not from total minus used', () => {
    // A real df of the sandbox's disk: used + available is far from total (reserved blocks,
    // other file systems' overlay), and `onedatastore list` shows 31% free, as FREE_MB / TOTAL_MB.
    const MiB = 1048576;
    const html = renderToString(
      <CapacityBar
        usedMb={26_199_130_112 / MiB}
        freeMb={83_091_537_920 / MiB}
        totalMb={270_566_309_888 / MiB}
        source="df on the backup server"
      />,
    );
    expect(text(html)).toContain('31% free');
    expect(text(html)).not.toContain('90% free');
    // The bar shows what is not available, and the figure's source is named.
    expect(html).toContain('aria-valuenow="69"');
    // A screen reader hears the same shares the text shows, not a stock label.
    expect(html).toContain('aria-label="Capacity: 69% used, 31% free"');
    expect(html).toContain('aria-valuetext="69% used, 31% free"');
    expect(html).not.toContain('not available');
    expect(html).toContain('df on the backup server');
  });

  it('says when nothing was monitored yet', () => {
    expect(text(renderToString(<CapacityBar usedMb={0} freeMb={0} totalMb={0} source="OpenNebula's monitor" />))).toBe(
      'not monitored yet',
    );
  });
});
