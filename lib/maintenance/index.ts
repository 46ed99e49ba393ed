import 'server-only';

// Repository maintenance: lock inspection and safe unlock, prune, check, orphan cleanup.
export { datastoreLocks, inspectLocks, removeStaleLocks, removeAllLocks, type UnlockOutcome } from './locks';
export { previewPrune, submitPrune, submitCheck, orphanPreview, submitOrphanForget } from './jobs';
export { lastCheck, lastChecks } from './check-results';
export { MaintenanceRefused } from './errors';
