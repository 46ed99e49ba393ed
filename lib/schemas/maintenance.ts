import { z } from 'zod';
import { IdSchema, RepositoryNameSchema } from './ids';

// Shared by the maintenance panels (client) and the maintenance actions (server): the inputs each
// action accepts and the shapes the panels show (links to the pages: app/_components/hrefs.ts).

const id = IdSchema;
const repository = RepositoryNameSchema;
const checkbox = z.preprocess((v) => v === 'on' || v === 'true' || v === true, z.boolean());

export const RepositoryTargetSchema = z.object({ datastoreId: id, repository });
export type RepositoryTarget = z.infer<typeof RepositoryTargetSchema>;

export const RemoveAllLocksSchema = RepositoryTargetSchema.extend({
  /** The repository's name, typed by the admin. */
  confirm: z.string().trim().max(64),
  /** The second, explicit confirmation: remove even while a backup or a live restic may hold a lock. */
  override: checkbox,
}).refine((v) => v.confirm === v.repository, {
  path: ['confirm'],
  message: 'Type the repository’s name exactly to remove all its locks.',
});

export const OrphanForgetSchema = RepositoryTargetSchema.extend({
  confirm: z.string().trim().max(64),
  /** The snapshots the preview showed (full IDs). */
  snapshots: z
    .array(z.string().regex(/^[0-9a-f]{64}$/))
    .min(1, 'Nothing to forget.')
    .max(1000),
}).refine((v) => v.confirm === v.repository, {
  path: ['confirm'],
  message: 'Type the repository’s name exactly to forget these snapshots.',
});

export const DanglingImageDeleteSchema = RepositoryTargetSchema.extend({
  imageId: id,
  /** The image's ID, typed by the admin. */
  confirm: z.string().trim().max(16),
}).refine((v) => v.confirm === String(v.imageId), {
  path: ['confirm'],
  message: 'Type the image’s ID exactly to delete it.',
});
export type DanglingImageDelete = z.infer<typeof DanglingImageDeleteSchema>;

export const CheckSchema = RepositoryTargetSchema.extend({
  mode: z.enum(['structure', 'read-data']),
  /** With read-data: the share of pack files to read, in percent (100 reads all). */
  percent: z.preprocess(
    (v) => (v === '' || v === null || v === undefined ? undefined : v),
    z
      .string()
      .regex(/^\d{1,3}(\.\d{1,2})?$/, 'A percentage such as 10 or 2.5.')
      .transform(Number)
      .pipe(z.number().min(0.1, 'At least 0.1 %.').max(100, 'At most 100 %.'))
      .optional(),
  ),
});
export type CheckInput = z.infer<typeof CheckSchema>;

// ---- What the panels show (plain data, no secrets) ----

export type LockVerdict = 'stale' | 'possibly-active';
export type ProcessState = 'restic-running' | 'other-process' | 'dead' | 'unknown';

export type LockView = {
  id: string;
  shortId: string;
  time: string;
  ageMs: number;
  exclusive: boolean;
  hostname: string;
  username: string;
  pid: number;
  /** Where the PID was looked up. */
  checkedOn: 'backup-server' | 'opennebula-host' | 'nowhere';
  process: ProcessState;
  processName?: string;
  verdict: LockVerdict;
  /** Why, in plain words. */
  reasons: string[];
  /** Whether plain `restic unlock` (run on the backup server) can prove it stale and remove it. */
  removableByUnlock: boolean;
};

export type RunningBackup = { vmId: number; vmName?: string; state: string };

export type LockInspection = {
  datastoreId: number;
  repository: string;
  locks: LockView[];
  backupsRunning: RunningBackup[];
  serverHostname?: string;
  inspectedAt: number;
  /** Reasons "Remove all locks" needs the second confirmation (empty: none needed). */
  removeAllBlockers: string[];
};

export type PrunePreview = {
  toRepackBytes: number;
  toRemoveBytes: number;
  toDeleteBytes: number;
  /** The space prune frees. */
  totalPruneBytes: number;
  remainingBytes: number;
  unusedAfterPruneBytes?: number;
  toDeleteBlobs: number;
  toRepackBlobs: number;
  maxUnused: string;
  maxRepack?: string;
};

/** A backup image whose snapshot is not in its repository: nothing can be restored from it. */
export type DanglingImage = { imageId: number; name: string; source: string; vmId?: number };

export type OrphanCandidate = { id: string; shortId: string; time: string; vmId?: number; hostname: string };

export type CheckRecord = {
  at: number;
  ok: boolean;
  readDataPercent?: number;
  /** "n/N" when the check read the n-th of N subsets (a scheduled verify). */
  readDataSubset?: string;
  errors: string[];
  jobId?: number;
  actor: string;
};
