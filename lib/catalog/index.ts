import 'server-only';

// The domain: OpenNebula's backup images joined with the restic facts behind them.
export * from './types';
export {
  datastoreOverview,
  readOverview,
  OVERVIEW_ANSWER_WITHIN_MS,
  type DatastoreOverview,
  type OverviewOptions,
} from './overview';
export type { Reader } from './reader';
export type { ServerStatus } from './server-status';
export { datastoreWithin, readDatastore, type DatastoreInfo } from './datastores';
export { cloudWithin, type Cloud } from './cloud';
export {
  capacityReading,
  s3CapacityReading,
  recordCapacitySample,
  samples,
  estimateFull,
  type CapacityReading,
  type FullEstimate,
} from './capacity';
export { repositoryDetail, RepositoryNotFound, REPOSITORY_NAME, type RepositoryDetail } from './repository';
export {
  ANSWER_WITHIN_MS,
  leastFresh,
  openNebulaObjectWithin,
  openNebulaWithin,
  readerKey,
  StillReading,
  valueWithin,
  waitOrAbort,
  type Answer,
  type Bounded,
  type Freshness,
} from './shared-reads';
export { accessInventory, sharedInventory } from './inventory-reads';
export { clustersWithin, datastoreSummariesWithin, listDatastoreSummaries } from './datastores';
export { capacityReport, type CapacityReport } from './capacity-report';
export { NotAResticDatastore } from './access';
export { diskWorkPlace, localRestoreBase, resticTmpDir, type DiskWorkPlace } from './disk-work-place';
export {
  accessServerKey,
  backupServerOf,
  datastoreAccess,
  datastoreAccessWithin,
  isResticBackupDatastore,
  limitTargetOf,
  sftpOnly,
  type DatastoreAccess,
  type S3Access,
  type SftpAccess,
} from './access';
export { resolveSnapshot, resolveSnapshotPair, SnapshotNotVisible, type SnapshotRef } from './snapshot-resolve';
export { snapshotFiles, snapshotFilesWithin, snapshotFile, type SnapshotFile } from './snapshot-files';
export { diskHeader } from './snapshot-dump-head';
export { snapshotDisks, chainPlace, ChainBroken, type SnapshotDisk, type ChainPlace } from './snapshot-chain';
export { vmAtBackup, changedSince, type VmAtBackup, type ChangedSince } from './snapshot-vm-now';
export { snapshotDiff, diffOf, vmXmlDiff, type DiffRow, type SnapshotDiffView, type VmXmlDiff } from './snapshot-diff';
export { collapseDiff, MAX_DIFF_LINES, type DiffLine, type DiffPart } from './line-diff';
export type { DiskHeader } from './snapshot-qcow2-header';
export type { VmXmlSummary, ConfigChange } from './snapshot-vm-xml';
export {
  downloadStoredFile,
  downloadVmXml,
  downloadFlattenedDisk,
  type Download,
  type DownloadOptions,
} from './snapshot-download';
export { downloadHeaders, DownloadStalled } from './snapshot-stream';
export { TooManyDownloads, runningDownloads } from './download-slots';
export { vmBackups, vmBusy, type VmBackups, type VmBackupImage, type VmBackupDatastore } from './vm-backups';
