import 'server-only';
import { z } from 'zod';
import { DatastoreIdParam, parseParam, RepositoryParam, SnapshotParam } from '@/lib/schemas/params';

// The route parameters of the snapshot routes, checked before anything runs: what does not parse
// is a 404. Names and disk IDs are then looked up among the snapshot's own files.

/** A file name inside a snapshot's backup folder: disk.N.K, vm.xml, disk.tpm.0. */
export const FileNameParam = z.string().regex(/^(?!\.)[A-Za-z0-9._-]{1,128}$/);
export const DiskIdParam = z
  .string()
  .regex(/^\d{1,4}$/)
  .transform(Number);

export type SnapshotParams = { id: string; repo: string; snap: string };

export function snapshotParams(p: SnapshotParams): { id: number; repo: string; snap: string } | undefined {
  const id = parseParam(DatastoreIdParam, p.id);
  const repo = parseParam(RepositoryParam, p.repo);
  const snap = parseParam(SnapshotParam, p.snap);
  return id === undefined || repo === undefined || snap === undefined ? undefined : { id, repo, snap };
}
