import { describe, expect, it } from 'vitest';
import type { AttentionItem } from '@/lib/health/attention';
import { alertConditions, evaluate, type AlertCondition, type KeptCondition } from './rules';

const item = (i: Partial<AttentionItem> & Pick<AttentionItem, 'kind'>): AttentionItem => ({
  severity: 'critical',
  title: `${i.kind} title`,
  count: 1,
  ...i,
});

/** Every datastore's lock-watch threshold here: 15 minutes. */
const LOCKS = () => 15 * 60_000;
const known = () => true;
const MIN = 60_000;

describe('alertConditions', () => {
  it('keeps the kinds that alert, each with a stable key', () => {
    const c = alertConditions([
      item({ kind: 'vm-overdue', vmId: 42, fix: { label: 'x', href: '/vms/42' } }),
      item({ kind: 'vm-failed', vmId: 7 }),
      item({ kind: 'stale-lock', datastoreId: 100, repository: '42' }),
      item({ kind: 'check-failed', datastoreId: 100, repository: 'job_3' }),
      item({ kind: 'backup-job-error', backupJobId: 3 }),
      item({ kind: 'datastore-full', datastoreId: 100 }),
      item({ kind: 'datastore-filling', datastoreId: 101 }),
      item({ kind: 'job-failed', jobId: 17 }),
      // Not alerts: news, and what only the pages need.
      item({ kind: 'not-verified', datastoreId: 100, repository: '42' }),
      item({ kind: 'job-running', jobId: 18 }),
      item({ kind: 'orphan-snapshots', datastoreId: 100, repository: '42' }),
      // An item standing for many VMs has no key of its own.
      item({ kind: 'vm-overdue', count: 9 }),
    ]);
    expect(c.map((x) => x.key)).toEqual([
      'vm-overdue:42',
      'vm-failed:7',
      'stale-lock:100:42',
      'check-failed:100:job_3',
      'backup-job-error:3',
      'datastore-full:100',
      'datastore-filling:101',
      'job-failed:17',
    ]);
    expect(c[0]).toMatchObject({ href: '/vms/42', severity: 'critical', title: 'vm-overdue title' });
  });

  it('gives one condition per key', () => {
    expect(alertConditions([item({ kind: 'vm-failed', vmId: 1 }), item({ kind: 'vm-failed', vmId: 1 })])).toHaveLength(
      1,
    );
  });
});

const cond = (key: string, kind: AlertCondition['kind'] = 'vm-overdue', datastoreId?: number): AlertCondition => ({
  key,
  kind,
  severity: 'warning',
  title: key,
  detail: '',
  href: '/',
  ...(datastoreId !== undefined ? { datastoreId } : {}),
});

const open = (c: AlertCondition, at = 0): KeptCondition => ({ ...c, state: 'open', firstSeenAt: at, openedAt: at });

describe('evaluate', () => {
  it('opens a new condition once, keeps it while it holds, resolves it when it clears', () => {
    const c = cond('vm-overdue:42');
    const first = evaluate([], [c], { now: 1_000, lockThresholdMs: LOCKS, isKnown: known });
    expect(first.opened.map((x) => x.key)).toEqual(['vm-overdue:42']);
    const kept = first.opened;
    const second = evaluate(kept, [c], { now: 2_000, lockThresholdMs: LOCKS, isKnown: known });
    expect(second.opened).toEqual([]);
    expect(second.ongoing.map((x) => x.key)).toEqual(['vm-overdue:42']);
    const third = evaluate(second.ongoing, [], { now: 3_000, lockThresholdMs: LOCKS, isKnown: known });
    expect(third.resolved.map((x) => x.key)).toEqual(['vm-overdue:42']);
    expect(third.resolved[0]).toMatchObject({ openedAt: 1_000 });
  });

  it("holds a stale lock for its datastore's lock-watch threshold before it alerts", () => {
    const c = cond('stale-lock:100:42', 'stale-lock', 100);
    const t0 = evaluate([], [c], { now: 0, lockThresholdMs: LOCKS, isKnown: known });
    expect(t0.opened).toEqual([]);
    expect(t0.pending).toMatchObject([{ key: c.key, firstSeenAt: 0 }]);
    const t1 = evaluate(t0.pending, [c], { now: 14 * MIN, lockThresholdMs: LOCKS, isKnown: known });
    expect(t1.opened).toEqual([]);
    const t2 = evaluate(t1.pending, [c], { now: 15 * MIN, lockThresholdMs: LOCKS, isKnown: known });
    expect(t2.opened).toMatchObject([{ key: c.key, firstSeenAt: 0, openedAt: 15 * MIN }]);
    // A lock removed before the threshold never alerted, so nothing resolves.
    const gone = evaluate(t1.pending, [], { now: 14 * MIN, lockThresholdMs: LOCKS, isKnown: known });
    expect(gone.resolved).toEqual([]);
    expect(gone.dropped.map((x) => x.key)).toEqual([c.key]);
    // Threshold 0: at once.
    expect(evaluate([], [c], { now: 0, lockThresholdMs: () => 0, isKnown: known }).opened).toHaveLength(1);
    // Each datastore's own threshold: 101 alerts at once, 100 waits.
    const other = cond('stale-lock:101:7', 'stale-lock', 101);
    const perDatastore = (id: number) => (id === 101 ? 0 : 15 * MIN);
    const t = evaluate([], [c, other], { now: 0, lockThresholdMs: perDatastore, isKnown: known });
    expect(t.opened.map((x) => x.key)).toEqual([other.key]);
    expect(t.pending.map((x) => x.key)).toEqual([c.key]);
  });

  it('leaves alerts of what this tick could not see as they are', () => {
    const lock = open(cond('stale-lock:100:42', 'stale-lock', 100));
    const vm = open(cond('vm-overdue:42'));
    const t = evaluate([lock, vm], [], {
      now: 1,
      lockThresholdMs: LOCKS,
      isKnown: (c) => c.datastoreId !== 100,
    });
    expect(t.ongoing.map((x) => x.key)).toEqual(['stale-lock:100:42']);
    expect(t.resolved.map((x) => x.key)).toEqual(['vm-overdue:42']);
  });

  it('closes a failed job without a resolved message when it leaves the page', () => {
    const t = evaluate([open(cond('job-failed:17', 'job-failed'))], [], {
      now: 1,
      lockThresholdMs: LOCKS,
      isKnown: known,
    });
    expect(t.resolved).toEqual([]);
    expect(t.dropped.map((x) => x.key)).toEqual(['job-failed:17']);
  });

  it('opens again a condition that comes back after it resolved', () => {
    const c = cond('backup-job-error:3', 'backup-job-error');
    const t = evaluate([], [c], { now: 5, lockThresholdMs: LOCKS, isKnown: known });
    expect(t.opened).toHaveLength(1);
  });
});
