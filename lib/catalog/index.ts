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
export { readDatastore, type DatastoreInfo } from './datastores';
export { recordCapacitySample, type CapacityReading } from './capacity';
export { repositoryDetail, RepositoryNotFound, REPOSITORY_NAME, type RepositoryDetail } from './repository';
export {
  ANSWER_WITHIN_MS,
  sharedReads,
  StillReading,
  valueWithin,
  waitOrAbort,
  type Answer,
  type Freshness,
  type SharedReads,
} from './shared-reads';
export { sharedInventory } from './inventory-reads';
export { listDatastoreSummaries } from './datastores';
export { capacityReport, type CapacityReport } from './capacity-report';
export { NotAResticDatastore } from './access';
export { backupServerOf, datastoreAccess, type DatastoreAccess } from './access';
export {
  resolveSnapshot,
  resolveSnapshotPair,
  snapshotFiles,
  snapshotFilesWithin,
  snapshotFile,
  snapshotDisks,
  diskHeader,
  chainPlace,
  vmAtBackup,
  changedSince,
  snapshotDiff,
  diffOf,
  vmXmlDiff,
  SnapshotNotVisible,
  ChainBroken,
  type SnapshotRef,
  type SnapshotFile,
  type SnapshotDisk,
  type ChainPlace,
  type VmAtBackup,
  type ChangedSince,
  type DiffRow,
  type SnapshotDiffView,
  type VmXmlDiff,
} from './snapshot-contents';
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
