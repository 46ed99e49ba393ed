import 'server-only';
import type { ResticRepo } from '@/lib/restic';
import { olderFirst } from '@/lib/schemas/snapshot-pair';
import { datastoreAccess, datastoreAccessWithin, type DatastoreAccess } from './access';
import type { Reader } from './reader';
import { repositoryDetail, RepositoryNotFound, type RepositoryDetail } from './repository';
import { StillReading } from './shared-reads';
import type { SnapshotRow } from './types';

// One snapshot of a repository, as far as the reader may see it. Every snapshot ID and file path
// comes from the snapshot itself: anything else is "not found" and runs nothing. What is read of a
// snapshot lives beside this file: its files (snapshot-files.ts), the first bytes of a file
// (snapshot-dump-head.ts), its place in the increment chain (snapshot-chain.ts), the VM then and
// now (snapshot-vm-now.ts) and the diff with another snapshot (snapshot-diff.ts).

/** A snapshot that does not exist or that the reader may not see (a 404, like a repository). */
export class SnapshotNotVisible extends RepositoryNotFound {
  override name = 'SnapshotNotVisible';
}

export type SnapshotRef = {
  detail: RepositoryDetail;
  snapshot: SnapshotRow;
  access: DatastoreAccess;
  repo: ResticRepo;
};

function findSnapshot(snapshots: readonly SnapshotRow[], id: string): SnapshotRow | undefined {
  if (!/^[0-9a-f]{8,64}$/.test(id)) return undefined;
  const exact = snapshots.find((s) => s.id === id || s.shortId === id);
  if (exact) return exact;
  const prefixed = snapshots.filter((s) => s.id.startsWith(id));
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

/**
 * The repository through the reader's eyes, then the snapshot among those they may see. With
 * `answerWithinMs`, a repository whose snapshots are still being read throws StillReading (the
 * snapshot may well exist); a stale listing is used as it is.
 */
export async function resolveSnapshot(
  reader: Reader,
  datastoreId: number,
  repository: string,
  snapshotId: string,
  signal?: AbortSignal,
  opts: { answerWithinMs?: number } = {},
): Promise<SnapshotRef> {
  const started = Date.now();
  const detail = await repositoryDetail(reader, datastoreId, repository, signal, opts);
  const snapshot = findSnapshot(detail.snapshots, snapshotId);
  if (!snapshot && detail.freshness.state === 'reading')
    throw new StillReading(`Still reading the snapshots of repository ${repository} from the backup server.`);
  if (!snapshot) throw new SnapshotNotVisible(`There is no snapshot ${snapshotId} in repository ${repository}.`);
  // With a bound, the decrypted datastore is OpenNebula's read for a page too (the last one while oned is slow).
  const access =
    opts.answerWithinMs === undefined
      ? await datastoreAccess(datastoreId)
      : (
          await datastoreAccessWithin(datastoreId, {
            answerWithinMs: Math.max(0, started + opts.answerWithinMs - Date.now()),
          })
        ).value;
  return { detail, snapshot, access, repo: access.repo(repository) };
}

/**
 * Two snapshots of one repository, both visible to the reader (`opts` as for resolveSnapshot),
 * always older → newer: a pair asked the other way round is swapped, and `swapped` says so.
 */
export async function resolveSnapshotPair(
  reader: Reader,
  datastoreId: number,
  repository: string,
  from: string,
  to: string,
  signal?: AbortSignal,
  opts: { answerWithinMs?: number } = {},
): Promise<{ from: SnapshotRef; to: SnapshotRow; swapped: boolean }> {
  const ref = await resolveSnapshot(reader, datastoreId, repository, from, signal, opts);
  const other = findSnapshot(ref.detail.snapshots, to);
  if (!other) throw new SnapshotNotVisible(`There is no snapshot ${to} in repository ${repository}.`);
  const { older, newer, swapped } = olderFirst(ref.snapshot, other);
  // Both rows are of the same repository: the reference only changes which snapshot it points at.
  return { from: { ...ref, snapshot: older }, to: newer, swapped };
}
