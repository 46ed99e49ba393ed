import 'server-only';
import { serverKey } from '@/lib/exec';
import { snapshots as resticSnapshots, type ResticRepo, type Snapshot } from '@/lib/restic';
import { cachedSnapshots, cacheSnapshots, getDb, repoKey } from '@/lib/store';

// The metadata of a repository's snapshots. Which IDs exist is read fresh (the inventory's file
// names); restic is asked only about IDs not cached yet, since a snapshot never changes.

/** An S3 repository's restic URL names it whole (endpoint, bucket, name). */
export function keyOf(repo: ResticRepo): string {
  return repo.backend === 's3' ? repoKey('s3', repo.path) : repoKey(serverKey(repo.server), repo.path);
}

export async function snapshotFacts(
  repo: ResticRepo,
  ids: readonly string[],
  signal?: AbortSignal,
): Promise<Snapshot[]> {
  const db = getDb();
  const key = keyOf(repo);
  const known = cachedSnapshots(db, key, ids);
  const missing = ids.filter((id) => !known.has(id));
  if (missing.length > 0) {
    // Many unknown IDs: one listing of the whole repository is cheaper than a long argv.
    const fetched =
      missing.length > 200 ? await resticSnapshots(repo, [], signal) : await resticSnapshots(repo, missing, signal);
    cacheSnapshots(db, key, fetched);
    for (const s of fetched) known.set(s.id, s);
  }
  return ids.map((id) => known.get(id)).filter((s): s is Snapshot => s !== undefined);
}
