import { describe, expect, it } from 'vitest';
import type { Problem, RepositoryRow } from '@/lib/catalog/types';
import type { LockInspection, LockView } from '@/lib/schemas/maintenance';
import {
  backupJobItems,
  capacityItems,
  DEFAULT_THRESHOLDS,
  jobItems,
  notReadItems,
  rankItems,
  repositoryItems,
  vmItems,
  VMS_LISTED_ONE_BY_ONE,
  type AttentionItem,
} from './attention';

const NOW = Date.UTC(2026, 11, 3, 12, 0, 0);
const DAY = 86_400_000;
const DS = { id: 100, name: 'RBackups' };
const opts = (isAdmin = true) => ({ isAdmin, now: NOW, thresholds: DEFAULT_THRESHOLDS });

function row(over: Partial<RepositoryRow> = {}): RepositoryRow {
  return {
    name: '4',
    kind: 'vm',
    vmId: 4,
    vmName: 'legacy-erp',
    snapshotCount: 3,
    logicalBytes: 0,
    imageIds: [],
    consistency: 'ok',
    problems: [],
    ...over,
  };
}

const problem = (kind: Problem['kind']): Problem => ({
  kind,
  repository: '4',
  severity: 'warning',
  message: '',
  action: '',
});

const verified = { at: NOW - DAY, ok: true, errors: [], actor: 'oneadmin' };

function lock(verdict: LockView['verdict']): LockView {
  return {
    id: 'a'.repeat(64),
    shortId: 'aaaaaaaa',
    time: new Date(NOW).toISOString(),
    ageMs: 0,
    exclusive: true,
    hostname: 'h',
    username: 'u',
    pid: 1,
    checkedOn: 'backup-server',
    process: 'dead',
    verdict,
    reasons: [],
    removableByUnlock: verdict === 'stale',
  };
}

const inspection = (locks: LockView[]): LockInspection =>
  ({
    datastoreId: 100,
    repository: '4',
    locks,
    backupsRunning: [],
    inspectedAt: NOW,
    removeAllBlockers: [],
  }) as LockInspection;

const kinds = (items: AttentionItem[]) => items.map((i) => [i.kind, i.count]);

describe('repositoryItems', () => {
  it('counts orphans, dangling images and broken chains, each with the maintenance page as its fix', () => {
    const items = repositoryItems(
      DS,
      {
        row: row({
          problems: [
            problem('orphan-snapshot'),
            problem('orphan-snapshot'),
            problem('dangling-image'),
            problem('broken-chain'),
          ],
        }),
        lastCheck: verified,
      },
      opts(),
    );
    expect(kinds(items)).toEqual([
      ['broken-chain', 1],
      ['dangling-image', 1],
      ['orphan-snapshots', 2],
    ]);
    for (const i of items) expect(i.fix?.href).toBe('/datastores/100/maintenance/4');
    expect(items[2]!.title).toBe('2 orphan snapshots in repository 4 (legacy-erp)');
  });

  it('sends a VM owner to the repository page, and says nothing about verification', () => {
    const items = repositoryItems(DS, { row: row({ problems: [problem('orphan-snapshot')] }) }, opts(false));
    expect(kinds(items)).toEqual([['orphan-snapshots', 1]]);
    expect(items[0]!.fix).toEqual({ label: 'Open the repository', href: '/datastores/100/repos/4' });
  });

  it('judges a lock by the last inspection when it saw the same lock files, else by the files’ age', () => {
    const locked = row({ locks: 1, newestLockAt: NOW - 60_000 });
    expect(
      kinds(repositoryItems(DS, { row: locked, inspection: inspection([lock('stale')]), lastCheck: verified }, opts())),
    ).toEqual([['stale-lock', 1]]);
    expect(
      repositoryItems(
        DS,
        { row: locked, inspection: inspection([lock('possibly-active')]), lastCheck: verified },
        opts(),
      )[0],
    ).toMatchObject({ kind: 'lock-held', severity: 'info' });
    // Not inspected, fresh: the verdict is the maintenance page's to read.
    expect(repositoryItems(DS, { row: locked, lastCheck: verified }, opts())[0]).toMatchObject({
      kind: 'lock-held',
      severity: 'warning',
      fix: { href: '/datastores/100/maintenance/4#locks' },
    });
    // An inspection of other lock files says nothing about these.
    const two = row({ locks: 2, newestLockAt: NOW - 31 * 60_000 });
    expect(
      repositoryItems(
        DS,
        { row: two, inspection: inspection([lock('possibly-active')]), lastCheck: verified },
        opts(),
      )[0],
    ).toMatchObject({
      kind: 'stale-lock',
      count: 2,
    });
  });

  it('asks for a check when never verified, verified too long ago, or when the last check found errors', () => {
    expect(repositoryItems(DS, { row: row() }, opts())[0]).toMatchObject({
      kind: 'not-verified',
      title: 'Repository 4 (legacy-erp) never verified by Backstone',
    });
    expect(
      repositoryItems(DS, { row: row(), lastCheck: { ...verified, at: NOW - 31 * DAY } }, opts())[0],
    ).toMatchObject({
      kind: 'not-verified',
      title: 'Repository 4 (legacy-erp) last verified 31 days ago',
    });
    expect(repositoryItems(DS, { row: row(), lastCheck: { ...verified, at: NOW - 29 * DAY } }, opts())).toEqual([]);
    expect(
      repositoryItems(
        DS,
        { row: row(), lastCheck: { ...verified, ok: false, errors: ['pack abc: damaged'] } },
        opts(),
      )[0],
    ).toMatchObject({ kind: 'check-failed', severity: 'critical', detail: 'pack abc: damaged' });
    // An empty repository has nothing to verify.
    expect(repositoryItems(DS, { row: row({ snapshotCount: 0 }) }, opts())).toEqual([]);
  });
});

describe('capacityItems', () => {
  const GiB = 2 ** 30;
  it('flags a datastore over the threshold, or full within 30 days at the current rate', () => {
    expect(
      capacityItems(
        DS,
        { availableBytes: 5 * GiB, totalBytes: 100 * GiB },
        { now: NOW, thresholds: DEFAULT_THRESHOLDS },
      ),
    ).toMatchObject([{ kind: 'datastore-full', count: 95, title: 'Datastore RBackups is 95% full' }]);
    expect(
      capacityItems(
        DS,
        { availableBytes: 50 * GiB, totalBytes: 100 * GiB, fullAt: NOW + 10 * DAY },
        { now: NOW, thresholds: DEFAULT_THRESHOLDS },
      ),
    ).toMatchObject([
      { kind: 'datastore-filling', title: 'Datastore RBackups is full within 10 days at the current rate (50% now)' },
    ]);
    expect(
      capacityItems(
        DS,
        { availableBytes: 50 * GiB, totalBytes: 100 * GiB, fullAt: NOW + 40 * DAY },
        { now: NOW, thresholds: DEFAULT_THRESHOLDS },
      ),
    ).toEqual([]);
    expect(capacityItems(DS, undefined, { now: NOW, thresholds: DEFAULT_THRESHOLDS })).toEqual([]);
  });

  it("judges full by what is available, as the pages' % free does, not by used / total", () => {
    // 80 GiB used of 100 GiB but only 8 GiB available (reserved blocks): the pages say 8% free,
    // so the home page says 92% full, not 80%.
    expect(
      capacityItems(
        DS,
        { availableBytes: 8 * GiB, totalBytes: 100 * GiB },
        { now: NOW, thresholds: DEFAULT_THRESHOLDS },
      ),
    ).toMatchObject([{ kind: 'datastore-full', count: 92, title: 'Datastore RBackups is 92% full' }]);
  });
});

describe('jobItems', () => {
  it('lists failed jobs of the last 24 h and running ones, each linking to the job', () => {
    const items = jobItems(
      [
        { id: 5, kind: 'check', title: 'Check', status: 'failed', finishedAt: NOW - 3600_000, message: 'damage' },
        { id: 4, kind: 'check', title: 'Check', status: 'failed', finishedAt: NOW - 2 * DAY, message: 'old' },
        { id: 3, kind: 'prune', title: 'Prune', status: 'running', message: '' },
        { id: 2, kind: 'prune', title: 'Prune', status: 'succeeded', finishedAt: NOW, message: '' },
      ],
      NOW,
    );
    expect(items.map((i) => [i.kind, i.jobId, i.fix?.href])).toEqual([
      ['job-failed', 5, '/jobs/5'],
      ['job-running', 3, '/jobs/3'],
    ]);
  });
});

describe('notReadItems', () => {
  it('says what is not known yet instead of waiting for it', () => {
    expect(notReadItems(DS, { reading: true, pending: 0 })).toMatchObject([
      { kind: 'not-read-yet', title: 'Datastore RBackups: not read yet' },
    ]);
    expect(notReadItems(DS, { reading: false, pending: 2 })).toMatchObject([{ kind: 'not-read-yet', count: 2 }]);
    expect(notReadItems(DS, { reading: false, pending: 0, unreachable: 'refused' })).toMatchObject([
      { kind: 'server-unreachable', severity: 'critical', detail: 'refused' },
    ]);
    expect(notReadItems(DS, { reading: false, pending: 0 })).toEqual([]);
  });
});

describe('rankItems', () => {
  it('puts the worst first: severity, then kind, then the larger count, then place', () => {
    const item = (
      kind: AttentionItem['kind'],
      severity: AttentionItem['severity'],
      count = 1,
      repository?: string,
    ): AttentionItem => ({
      kind,
      severity,
      count,
      title: kind,
      datastoreId: 100,
      repository,
    });
    const ranked = rankItems([
      item('job-running', 'info'),
      item('orphan-snapshots', 'warning', 1, '10'),
      item('orphan-snapshots', 'warning', 1, '9'),
      item('orphan-snapshots', 'warning', 3, '11'),
      item('vm-never', 'warning'),
      item('stale-lock', 'critical'),
      item('vm-failed', 'critical'),
      item('not-verified', 'info'),
    ]);
    expect(ranked.map((i) => `${i.kind}${i.repository ? `:${i.repository}` : ''}`)).toEqual([
      'vm-failed',
      'stale-lock',
      'vm-never',
      'orphan-snapshots:11',
      'orphan-snapshots:9',
      'orphan-snapshots:10',
      'not-verified',
      'job-running',
    ]);
  });
});

describe('vmItems', () => {
  const vm = (id: number, status: string) => ({ id, name: `vm-${id}`, status, reason: `reason ${id}` });

  it('lists failed, overdue and never-backed-up VMs one by one, each with Back up now on its page', () => {
    const items = vmItems([vm(1, 'protected'), vm(2, 'failed'), vm(3, 'overdue'), vm(4, 'never'), vm(5, 'backing-up')]);
    expect(items.map((i) => [i.kind, i.severity, i.vmId, i.fix?.href])).toEqual([
      ['vm-failed', 'critical', 2, '/vms/2'],
      ['vm-overdue', 'warning', 3, '/vms/3'],
      ['vm-never', 'warning', 4, '/vms/4'],
    ]);
    expect(items[0]!.detail).toBe('reason 2');
  });

  it('stands one item for many VMs of a status, leading to the filtered VMs list', () => {
    const many = Array.from({ length: VMS_LISTED_ONE_BY_ONE + 1 }, (_, i) => vm(i, 'overdue'));
    const items = vmItems(many);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ kind: 'vm-overdue', count: many.length, fix: { href: '/vms?status=overdue' } });
  });
});

describe('backupJobItems', () => {
  it('asks to retry a job with failed VMs and points at a job with VMs still waiting', () => {
    const items = backupJobItems([
      { id: 1, name: 'nightly', errorVms: [4, 7], outdatedVms: [] },
      { id: 2, name: 'weekly', errorVms: [], outdatedVms: [9] },
      { id: 3, name: 'fine', errorVms: [], outdatedVms: [] },
    ]);
    expect(items.map((i) => [i.kind, i.severity, i.count, i.backupJobId, i.fix?.label, i.fix?.href])).toEqual([
      ['backup-job-error', 'critical', 2, 1, 'Retry failed', '/backup-jobs/1'],
      ['backup-job-outdated', 'warning', 1, 2, 'Open the Backup Job', '/backup-jobs/2'],
    ]);
  });
});
