import 'server-only';

// Repository maintenance: lock inspection and safe unlock, prune, check, orphan cleanup,
// dangling backup images.
export {
  datastoreLocks,
  type DatastoreLocks,
  inspectLocks,
  inspectLocksWithin,
  LOCKS_FRESH_MS,
  removeStaleLocks,
  removeAllLocks,
  type UnlockOutcome,
} from './locks';
export { repositoryMaintenance, type LocksAnswer, type RepositoryMaintenance } from './repository-maintenance';
export { previewPrune, submitPrune, submitCheck, orphanPreview, submitOrphanForget } from './jobs';
export { danglingPreview, deleteDanglingImage } from './dangling';
export { lastCheck, lastChecks, recordCheck } from './check-results';
export { readBackups, datastoreBackups, repositoryBackups, type CloudBackups } from './backups';
export { MaintenanceRefused } from './errors';
