import 'server-only';
import { lastChecks } from '@/lib/maintenance';
import type { CheckRecord } from '@/lib/schemas/maintenance';
import type { ScheduleView } from '@/lib/schemas/schedules';
import { nextRunAt } from './due';
import { lastRun, openRun, settleOpenRuns } from './runs';
import { lockStaleThresholdMs, schedules } from './settings';
import { staleLocksOf, type StaleLock } from './stale-locks';

// What Backstone's own store knows of a datastore's schedules, verifies and stale locks: reads of
// the store only (no backup server, no OpenNebula), so pages and alerts ask them freely.

/** A datastore's four schedules with their last run and their next. */
export function scheduleViews(datastoreId: number): ScheduleView[] {
  settleOpenRuns(datastoreId);
  return schedules(datastoreId).map((s) => {
    const last = lastRun(datastoreId, s.kind);
    const running = openRun(datastoreId, s.kind) !== undefined;
    const next = nextRunAt({
      enabled: s.enabled,
      intervalMs: s.intervalSeconds * 1000,
      setAt: s.setAt,
      lastStartedAt: last?.startedAt,
      running,
    });
    return {
      kind: s.kind,
      enabled: s.enabled,
      intervalSeconds: s.intervalSeconds,
      isDefault: s.isDefault,
      ...(s.subsets === undefined ? {} : { subsets: s.subsets, nextSubset: s.nextSubset }),
      ...(s.staleAfterSeconds === undefined
        ? {}
        : { staleAfterSeconds: s.staleAfterSeconds, autoUnlock: s.autoUnlock }),
      ...(last
        ? {
            last: {
              startedAt: last.startedAt,
              endedAt: last.endedAt,
              outcome: last.outcome,
              jobId: last.jobId,
              message: last.message,
              trigger: last.trigger,
            },
          }
        : {}),
      running,
      ...(next === undefined ? {} : { nextAt: next }),
    };
  });
}

/** The newest check of one repository, as the alerts read it. */
export type RepositoryVerify = CheckRecord & { repository: string };

/**
 * The newest `restic check` of every repository of the datastore that has one (a verify run's, or
 * one an admin started on the maintenance page): when, whether it found errors (and which), the
 * subset it read ("n/N") and its job. Repositories never checked are absent.
 */
export function latestVerify(datastoreId: number): RepositoryVerify[] {
  return [...lastChecks(datastoreId).entries()]
    .map(([repository, c]) => ({ repository, ...c }))
    .sort((a, b) => a.repository.localeCompare(b.repository, 'en', { numeric: true }));
}

/** A stale lock the lock watch knows of, and whether it has been stale longer than the threshold. */
export type WatchedStaleLock = StaleLock & { staleForMs: number; beyondThreshold: boolean; thresholdMs: number };

/**
 * The locks the lock watch last judged stale in the datastore, each with when it was first seen
 * stale. `beyondThreshold`: stale for at least the datastore's threshold, i.e. worth an alert. A
 * lock that is gone (removed by hand or by the watch's auto-removal) is no longer listed once the
 * next watch has run: that is its "resolved".
 */
export function staleLocks(datastoreId: number, now = Date.now()): WatchedStaleLock[] {
  const thresholdMs = lockStaleThresholdMs(datastoreId);
  return staleLocksOf(datastoreId).map((l) => {
    const staleForMs = Math.max(0, now - l.firstSeenAt);
    return { ...l, staleForMs, thresholdMs, beyondThreshold: staleForMs >= thresholdMs };
  });
}
