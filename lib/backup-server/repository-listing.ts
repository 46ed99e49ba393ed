// What a backup server's listing says about its repositories: shared by the inventory that reads
// it and the stored-size measurement that completes it.

export type RepositoryKind = { kind: 'vm'; vmId: number } | { kind: 'job'; jobId: number };

export type RepositoryListing = RepositoryKind & {
  name: string;
  path: string;
  initialized: boolean;
  snapshotIds: string[];
  locks: { id: string; modified: number }[];
  /** Names of the files in index/ (content hashes). */
  indexIds: string[];
  storedBytes: number;
};

export type Filesystem = { totalBytes: number; usedBytes: number; availableBytes: number; mountPoint: string };

export type Inventory = {
  basePath: string;
  exists: boolean;
  /** df of BASE_PATH's file system; only when the whole datastore was listed. */
  filesystem?: Filesystem;
  repositories: RepositoryListing[];
};
