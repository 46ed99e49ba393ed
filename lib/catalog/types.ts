// What the catalog hands to pages: OpenNebula's backup images joined with the restic snapshots
// behind them. Plain data only (no secrets), safe to serialise to the browser.

export type DiskFile = { diskId: number; increment: number; path: string };

export type SnapshotRow = {
  id: string;
  shortId: string;
  time: string;
  hostname: string;
  tags: string[];
  paths: string[];
  /** disk.N.K files of the snapshot. */
  disks: DiskFile[];
  /** The VM the snapshot belongs to (tag one-<id>, else the /<id>/backup/ path). */
  vmId?: number;
  /** Logical bytes read by the backup (restic >= 0.17 records it; else the image's SIZE). */
  logicalBytes?: number;
  /** The backup image and increment referring to this snapshot, if any. */
  imageId?: number;
  imageName?: string;
  incrementId?: number;
  incrementType?: 'FULL' | 'INCREMENT';
  /** Referenced by no image or increment. */
  orphan: boolean;
  /** Orphan older than the safety window while no backup of its VM runs: worth cleaning up. */
  orphanFlagged: boolean;
};

export type ChainLink = {
  incrementId: number;
  type: 'FULL' | 'INCREMENT';
  source: string;
  snapshotId?: string;
  date: number;
  sizeMb: number;
};

export type BackupChain = {
  imageId: number;
  imageName: string;
  vmId?: number;
  mode: 'FULL' | 'INCREMENT';
  links: ChainLink[];
  /** Every link's snapshot exists and each increment's parent is in the chain. */
  intact: boolean;
};

export type ProblemKind =
  'orphan-snapshot' | 'dangling-image' | 'dangling-increment' | 'broken-chain' | 'uninitialized' | 'unreadable';

export type Problem = {
  kind: ProblemKind;
  repository: string;
  severity: 'warning' | 'error';
  /** What is wrong, in plain words. */
  message: string;
  /** What to do about it. */
  action: string;
  snapshotId?: string;
  imageId?: number;
  incrementId?: number;
};

export type RepositoryRow = {
  name: string;
  kind: 'vm' | 'job';
  vmId?: number;
  vmName?: string;
  owner?: string;
  jobId?: number;
  /** Only when OpenNebula shows the Backup Job to the reader. */
  jobName?: string;
  /** The job's VMs the reader may see. */
  jobVms?: { id: number; name?: string }[];
  snapshotCount: number;
  lastBackupAt?: string;
  /** Sum of the sizes OpenNebula recorded for this repository's backup images. */
  logicalBytes: number;
  /**
   * Size of the repository on the backup server's disk. Like locks, withheld from a non-admin when
   * the repository holds others' backups too (a Backup Job's): it cannot be split per VM.
   */
  storedBytes?: number;
  locks?: number;
  newestLockAt?: number;
  imageIds: number[];
  /** 'pending' while restic has not read the repository's new snapshots yet (no verdict). */
  consistency: 'ok' | 'warning' | 'error' | 'pending';
  problems: Problem[];
};
