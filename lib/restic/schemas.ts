import { z } from 'zod';

// The raw JSON restic writes, from 0.14 to 0.18. Fields restic leaves out when empty are optional
// (tags, uid/gid of root, parent); newer fields (program_version, summary, data_added_packed,
// compression figures) are optional so older output still parses.

const hex = z.string().regex(/^[0-9a-f]+$/);

export const ResticSnapshotSummaryJson = z.object({
  backup_start: z.string(),
  backup_end: z.string(),
  files_new: z.number(),
  files_changed: z.number(),
  files_unmodified: z.number(),
  dirs_new: z.number(),
  dirs_changed: z.number(),
  dirs_unmodified: z.number(),
  data_blobs: z.number(),
  tree_blobs: z.number(),
  data_added: z.number(),
  data_added_packed: z.number().optional(),
  total_files_processed: z.number(),
  total_bytes_processed: z.number(),
});

export const ResticSnapshotJson = z.object({
  time: z.string(),
  parent: hex.optional(),
  tree: hex,
  paths: z.array(z.string()),
  hostname: z.string(),
  username: z.string().default(''),
  uid: z.number().optional(),
  gid: z.number().optional(),
  tags: z.array(z.string()).nullish(),
  program_version: z.string().optional(),
  summary: ResticSnapshotSummaryJson.optional(),
  id: hex.length(64),
  short_id: hex.min(8),
});
export type ResticSnapshotJson = z.infer<typeof ResticSnapshotJson>;

export const ResticLsNodeJson = z.object({
  name: z.string(),
  type: z.string(),
  path: z.string(),
  uid: z.number().optional(),
  gid: z.number().optional(),
  size: z.number().optional(),
  mode: z.number().optional(),
  permissions: z.string().optional(),
  mtime: z.string().optional(),
  struct_type: z.literal('node').optional(),
  message_type: z.literal('node').optional(),
});

export const ResticStatsJson = z.object({
  total_size: z.number(),
  total_file_count: z.number().optional(),
  total_blob_count: z.number().optional(),
  snapshots_count: z.number(),
  total_uncompressed_size: z.number().optional(),
  compression_ratio: z.number().optional(),
  compression_space_saving: z.number().optional(),
});

const DiffStats = z.object({
  files: z.number(),
  dirs: z.number(),
  others: z.number(),
  data_blobs: z.number(),
  tree_blobs: z.number(),
  bytes: z.number(),
});

export const ResticDiffLineJson = z.discriminatedUnion('message_type', [
  z.object({ message_type: z.literal('change'), path: z.string(), modifier: z.string() }),
  z.object({
    message_type: z.literal('statistics'),
    source_snapshot: z.string(),
    target_snapshot: z.string(),
    changed_files: z.number(),
    added: DiffStats,
    removed: DiffStats,
  }),
]);

export const ResticLockJson = z.object({
  time: z.string(),
  exclusive: z.boolean().default(false),
  hostname: z.string(),
  username: z.string(),
  pid: z.number(),
  uid: z.number().optional(),
  gid: z.number().optional(),
});

export const ResticRestoreLineJson = z.object({
  message_type: z.enum(['status', 'summary', 'verbose_status', 'error']),
  seconds_elapsed: z.number().optional(),
  percent_done: z.number().optional(),
  total_files: z.number().optional(),
  files_restored: z.number().optional(),
  files_skipped: z.number().optional(),
  total_bytes: z.number().optional(),
  bytes_restored: z.number().optional(),
  bytes_skipped: z.number().optional(),
});

export const ResticExitErrorJson = z.object({
  message_type: z.literal('exit_error'),
  code: z.number(),
  message: z.string(),
});

export const ResticConfigJson = z.object({
  version: z.number(),
  id: hex,
  chunker_polynomial: z.string(),
});
