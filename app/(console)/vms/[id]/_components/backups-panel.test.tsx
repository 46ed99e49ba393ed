import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { VmBackupImage } from '@/lib/catalog';
import { SIZE_TERMS } from '@/app/_components/size-terms';
import { BackupsPanel } from './backups-panel';

const attr = (s: string) => s.replace(/&/g, '&amp;').replace(/'/g, '&#x27;').replace(/"/g, '&quot;');

const image = (over: Partial<VmBackupImage>): VmBackupImage => ({
  imageId: 12,
  name: 'db backup',
  datastoreId: 100,
  datastoreName: 'RBackups',
  repository: '7',
  mode: 'INCREMENT',
  regtime: 1_700_000_000,
  sizeMb: 300,
  state: 'READY',
  links: [
    { incrementId: 0, type: 'FULL', source: 'aaaa', date: 1_700_000_000, sizeMb: 250 },
    { incrementId: 1, type: 'INCREMENT', source: 'bbbb', date: 1_700_003_600, sizeMb: 50 },
  ],
  ...over,
});

describe('BackupsPanel', () => {
  it("names each size with the shared term and its hint, the newest backup's as the VMs list does", () => {
    const html = renderToString(<BackupsPanel vmId={7} images={[image({})]} />);
    expect(html).toContain(`title="${attr(SIZE_TERMS.backupImages.hint)}"`);
    expect(html).toContain(SIZE_TERMS.backupImages.label);
    expect(html).toContain(`title="${attr(SIZE_TERMS.snapshotSize.hint)}"`);
    // The newest increment's SIZE (50 MiB), the figure the VMs list shows as the last backup's.
    expect(html.replace(/<[^>]+>/g, '')).toMatch(/Backed up by the newest backup 50(\.0)? MiB/);
  });

  it('gives a full image its own size only', () => {
    const html = renderToString(
      <BackupsPanel vmId={7} images={[image({ mode: 'FULL', links: [image({}).links[0]!] })]} />,
    );
    expect(html).toContain(SIZE_TERMS.backupImages.label);
    expect(html).not.toContain('by the newest backup');
  });
});
