import 'server-only';

// OpenNebula Backup Jobs as people see and run them: the list, one job, Run now / Retry / Cancel.
export {
  listSeenBackupJobs,
  seenBackupJobsWithin,
  backupJobDetail,
  backupJobDetailWithin,
  type BackupJobRow,
  type BackupJobDetail,
  type SeenVm,
} from './read';
export { operateBackupJob, BackupJobNotFound, BackupJobRefused, type BackupJobVerb } from './operate';
export { backupJobStatus, compareByStatus, isRunning, VM_GROUPS, type BackupJobStatus } from './status';
