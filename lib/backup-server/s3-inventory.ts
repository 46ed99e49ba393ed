import 'server-only';
import { bucketInventory, resticRepositoryUrl, type BucketUsage, type S3Settings } from '@/lib/s3';
import { repositoryKind } from './inventory';
import type { Inventory, RepositoryListing } from './repository-listing';

// An S3 datastore's repositories in the same shape as a backup server's inventory, from one
// listing of the bucket's keys (no restic, no password): snapshot IDs from snapshots/, index names
// from index/, locks from locks/ with their time, stored bytes summed from the objects' sizes. An
// S3 bucket has no file system: `filesystem` stays empty and the bucket's real usage is given.

export type S3Inventory = Inventory & { bucket: BucketUsage };

/** Where the repositories are, as pages name it: s3:<endpoint>/<bucket>. */
export function s3Location(s: Pick<S3Settings, 'endpoint' | 'bucket'>): string {
  return `s3:${s.endpoint}/${s.bucket}`;
}

export async function s3Inventory(s: S3Settings, signal?: AbortSignal, only?: string): Promise<S3Inventory> {
  const inv = await bucketInventory(s, { signal, only });
  const repositories: RepositoryListing[] = [];
  for (const r of inv.repositories) {
    const kind = repositoryKind(r.name);
    if (!kind) continue;
    repositories.push({
      ...kind,
      name: r.name,
      path: resticRepositoryUrl(s, r.name),
      initialized: r.hasConfig,
      snapshotIds: r.snapshotIds,
      locks: r.locks.map((l) => ({ id: l.id, modified: l.lastModified ? Date.parse(l.lastModified) : 0 })),
      indexIds: [...r.indexIds].sort(),
      storedBytes: r.storedBytes,
    });
  }
  return { basePath: s3Location(s), exists: true, repositories, bucket: inv.usage };
}
