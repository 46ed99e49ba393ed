import type { JobStatus } from '@/lib/jobs';
import type { ProtectionStatusName } from '@/lib/schemas/vms';

// What one scrape of /metrics reports: gathered by collect.ts from what the catalog, the health page
// and the jobs store already read, turned into Prometheus text by render.ts (pure, for tests).

export type DatastoreFacts = {
  id: number;
  name: string;
  /** The backup server's df of BASE_PATH, else OpenNebula's monitor; absent when neither is known. */
  capacityBytes?: number;
  usedBytes?: number;
  repositories: number;
  snapshots: number;
  /** Whether the backup server's listing behind these figures is current (1) or not (0: stale, failing, reading). */
  listingFresh: boolean;
};

export type RepositoryFacts = {
  datastoreId: number;
  repository: string;
  vmId?: number;
  storedBytes?: number;
  snapshots: number;
  locks: number;
  staleLocks: number;
  /** Epoch seconds. */
  lastSnapshotAt?: number;
  lastVerify?: { at: number; ok: boolean };
};

export type VmFacts = { id: number; name: string; status: ProtectionStatusName; lastBackupAt?: number };

export type MetricsFacts = {
  datastores: DatastoreFacts[];
  repositories: RepositoryFacts[];
  /** Undefined while OpenNebula's VMs are still being read (the first scrape after start). */
  vms?: VmFacts[];
  jobs: { kind: string; status: JobStatus; count: number }[];
  /** Something was still being read when the scrape answered. */
  incomplete: boolean;
  /** Epoch milliseconds. */
  generatedAt: number;
};
