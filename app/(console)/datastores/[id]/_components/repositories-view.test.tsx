import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { DatastoreOverview, RepositoryRow } from '@/lib/catalog';
import { Providers } from '@/app/providers';
import { SIZE_TERMS } from '@/app/_components/size-terms';
import { RepositoriesView } from './repositories-view';

const row = (name: string, over: Partial<RepositoryRow>): RepositoryRow => ({
  name,
  kind: 'vm',
  vmId: Number(name),
  snapshotCount: 10,
  logicalBytes: 0,
  locks: 0,
  imageIds: [],
  consistency: 'ok',
  problems: [],
  ...over,
});

function overview(repositories: RepositoryRow[], pending: number): DatastoreOverview {
  return {
    datastore: { id: 100, name: 'RBackups', isRestic: true } as DatastoreOverview['datastore'],
    repositories,
    problems: [],
    totals: { repositories: repositories.length, snapshots: 20, storedBytes: 0, logicalBytes: 0 },
    pending,
    freshness: { state: 'fresh', readAt: Date.now() },
    generatedAt: Date.now(),
  };
}

const render = (o: DatastoreOverview) =>
  renderToString(
    <Providers>
      <RepositoriesView initial={o} />
    </Providers>,
  );

describe('RepositoriesView', () => {
  it('shows a repository restic is still reading as such, with its count, and says how many are left', () => {
    const html = render(
      overview(
        [row('1', { lastBackupAt: '2026-11-26T02:00:00Z' }), row('2', { consistency: 'pending', snapshotCount: 11 })],
        1,
      ),
    );
    expect(html).toContain('data-testid="overview-pending"');
    expect(html).toContain('restic is reading the new snapshots of 1 repository (');
    expect(html).toContain('Consistency (none found yet)');
    expect(html).toContain('1 repository is still being read');
    expect(html).not.toContain('all consistent');
    const pendingRow = /data-testid="repo-row-2".*?<\/tr>/s.exec(html)?.[0] ?? '';
    expect(pendingRow).toContain('11');
    expect(pendingRow).toContain('reading…');
    expect(pendingRow).not.toContain('consistent');
    const readRow = /data-testid="repo-row-1".*?<\/tr>/s.exec(html)?.[0] ?? '';
    expect(readRow).toContain('consistent');
  });

  it("re-sorts repositories in the server's order, VMs before Backup Jobs", async () => {
    // The Repository column's own comparator, as a click on its header uses it.
    const { repositoryColumns } = await import('./repositories-view');
    const nameColumn = repositoryColumns(100).find((c) => 'accessorKey' in c && c.accessorKey === 'name');
    const sortingFn = nameColumn?.sortingFn;
    expect(typeof sortingFn).toBe('function');
    const rows = ['job_2', '10', 'job_0', '2'].map((name) => ({ original: row(name, {}) }));
    const sorted = rows.sort((a, b) => (sortingFn as (a: unknown, b: unknown, id: string) => number)(a, b, 'name'));
    expect(sorted.map((r) => r.original.name)).toEqual(['2', '10', 'job_0', 'job_2']);
  });

  it('names each size for what it measures, with its hint', () => {
    const html = render(overview([row('1', {})], 0));
    const attr = (text: string) => `title="${text.replace(/'/g, '&#x27;')}"`;
    expect(html).toContain(attr(SIZE_TERMS.onDisk.hint));
    expect(html).toContain(attr(SIZE_TERMS.backupImages.hint));
    expect(html).not.toContain('Logical size');
  });

  it('says nothing of reading once every repository is read', () => {
    const html = render(overview([row('1', {})], 0));
    expect(html).not.toContain('overview-pending');
    expect(html).not.toContain('reading…');
    expect(html).toContain('Consistency (all consistent)');
  });
});
