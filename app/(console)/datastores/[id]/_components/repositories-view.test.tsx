import { renderToString } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { DatastoreOverview, RepositoryRow } from '@/lib/catalog';
import { Providers } from '../../../../providers';
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

  it('says nothing of reading once every repository is read', () => {
    const html = render(overview([row('1', {})], 0));
    expect(html).not.toContain('overview-pending');
    expect(html).not.toContain('reading…');
    expect(html).toContain('Consistency (all consistent)');
  });
});
