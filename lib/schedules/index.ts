import 'server-only';

// Scheduled upkeep of restic backup datastores: verify (a rotating `--read-data-subset=n/N`),
// prune, lock watch and capacity sample, per datastore; runs are jobs of lib/jobs. The ticker runs
// them on whichever process the gate allows (the HA leader).
//
// latestVerify(datastoreId) and staleLocks(datastoreId) read the store only (the Schedules panel). The
// alerts judge stale locks from the health report with their own threshold (lib/alerts rules).
export { latestVerify, staleLocks, scheduleViews, type RepositoryVerify, type WatchedStaleLock } from './read';
export { setScheduleGate, startScheduler, stopScheduler, tick, TICK_MS, type TickReport } from './ticker';
export { submitVerify } from './verify';
export { scheduledDatastore, confirmPruneAll } from './datastore';
export { submitPruneAll, refusePruneWhileBackingUp } from './prune';
export { submitLockWatch } from './lock-watch';
export { submitCapacitySample } from './capacity';
export { lockStaleThresholdMs, setSchedule, schedule, schedules, type StoredSchedule } from './settings';
export { DEFAULT_SCHEDULES, type ScheduleSettings } from './defaults';
export { RunInProgress, lastRun, recentRuns, type Run } from './runs';
export { SCHEDULER_ACTOR } from './submit';
export type { StaleLock } from './stale-locks';
