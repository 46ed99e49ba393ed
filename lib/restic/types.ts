// Domain shapes of restic facts, as Backstone uses them (reshaped from the raw JSON in schemas.ts).

export type Snapshot = {
  id: string;
  shortId: string;
  time: string;
  paths: string[];
  hostname: string;
  username: string;
  tags: string[];
  programVersion?: string;
  summary?: {
    backupStart: string;
    backupEnd: string;
    dataAdded: number;
    dataAddedPacked?: number;
    totalFilesProcessed: number;
    totalBytesProcessed: number;
  };
};

export type FileNode = { path: string; name: string; type: 'file' | 'dir' | 'other'; size: number; mtime?: string };

export type RepositoryStats = {
  mode: 'restore-size' | 'raw-data';
  totalSize: number;
  totalFileCount?: number;
  totalBlobCount?: number;
  snapshotsCount: number;
  /** restic >= 0.16 only. */
  totalUncompressedSize?: number;
  compressionRatio?: number;
};

export type SnapshotDiff = {
  changes: { path: string; modifier: '+' | '-' | 'M' | 'T' | 'U' | '?' }[];
  added: { files: number; bytes: number };
  removed: { files: number; bytes: number };
  changedFiles: number;
};

export type Lock = {
  id: string;
  time: string;
  exclusive: boolean;
  hostname: string;
  username: string;
  pid: number;
};

export type RestoreProgress = {
  percent?: number;
  bytesDone: number;
  bytesTotal?: number;
  filesDone?: number;
  filesTotal?: number;
};

export type PrunePlan = {
  toRepack: { blobs: number; bytes: number };
  toRemove: { blobs: number; bytes: number };
  toDelete: { blobs: number; bytes: number };
  totalPrune: { blobs: number; bytes: number };
  remaining: { blobs: number; bytes: number };
  unusedAfterPrune?: number;
};

export type CheckResult = { ok: boolean; errors: string[]; readDataPercent?: number };
