import 'server-only';
import { createHash } from 'node:crypto';
import { byRepositoryName, inventory, type Filesystem } from '@/lib/backup-server';
import { getDatastore } from '@/lib/opennebula';
import { stats, ResticError } from '@/lib/restic';
import { getDb } from '@/lib/store';
import { datastoreAccess, type DatastoreAccess } from './access';
import { estimateFull, recordSample, samples, type CapacitySample, type FullEstimate } from './capacity';
import { keyOf } from './snapshot-facts';
import type { Reader } from './overview';

// The Capacity tab: df now, the stored history with an estimated-full date, and how much restic's
// deduplication and compression save (restore-size vs raw-data, per repository, cached until the
// repository's set of snapshots changes).

export type RepositoryRatio = { name: string; restoreBytes: number; rawBytes: number; uncompressedBytes?: number };

/** A sample as the reader may see it: the stored total (every repository) is for admins only. */
export type HistorySample = Omit<CapacitySample, 'storedBytes'> & { storedBytes?: number };

export type CapacityReport = {
  datastoreId: number;
  filesystem?: Filesystem;
  history: HistorySample[];
  estimate: FullEstimate;
  ratios: {
    repositories: RepositoryRatio[];
    /** Logical bytes of all snapshots / bytes stored after dedup and compression. */
    total?: {
      restoreBytes: number;
      rawBytes: number;
      uncompressedBytes?: number;
      dedupFactor: number;
      compressionFactor?: number;
    };
    unavailable: string[];
  };
};

type StatsRow = { snapshots_hash: string; restore_size: number; raw_size: number; uncompressed_size: number | null };

async function repositoryRatio(
  access: DatastoreAccess,
  name: string,
  snapshotIds: readonly string[],
  signal?: AbortSignal,
): Promise<RepositoryRatio> {
  const repo = access.repo(name);
  const key = keyOf(repo);
  const hash = createHash('sha256').update(snapshotIds.join(',')).digest('hex');
  const db = getDb();
  const cached = db.prepare<[string], StatsRow>('SELECT * FROM repository_stats WHERE repo_key = ?').get(key);
  if (cached?.snapshots_hash === hash) {
    return {
      name,
      restoreBytes: cached.restore_size,
      rawBytes: cached.raw_size,
      uncompressedBytes: cached.uncompressed_size ?? undefined,
    };
  }
  const [restore, raw] = await Promise.all([
    stats(repo, 'restore-size', [], signal),
    stats(repo, 'raw-data', [], signal),
  ]);
  db.prepare(
    'INSERT OR REPLACE INTO repository_stats (repo_key, snapshots_hash, restore_size, raw_size, uncompressed_size, computed_at) VALUES (?, ?, ?, ?, ?, ?)',
  ).run(key, hash, restore.totalSize, raw.totalSize, raw.totalUncompressedSize ?? null, Date.now());
  return {
    name,
    restoreBytes: restore.totalSize,
    rawBytes: raw.totalSize,
    uncompressedBytes: raw.totalUncompressedSize,
  };
}

export async function capacityReport(
  reader: Reader,
  datastoreId: number,
  signal?: AbortSignal,
): Promise<CapacityReport> {
  await getDatastore(reader.credential, datastoreId);
  const access = await datastoreAccess(datastoreId);
  const inv = await inventory(access.server, access.basePath, signal);
  if (inv.filesystem)
    recordSample(
      datastoreId,
      inv.filesystem,
      inv.repositories.reduce((s, r) => s + r.storedBytes, 0),
    );
  const history = samples(datastoreId);
  // df is what OpenNebula's monitor shows of the datastore to anyone who sees it; the stored total
  // sums every owner's repositories.
  const shownHistory: HistorySample[] = reader.isAdmin
    ? history
    : history.map((s) => ({
        at: s.at,
        totalBytes: s.totalBytes,
        usedBytes: s.usedBytes,
        availableBytes: s.availableBytes,
      }));
  const repositories: RepositoryRatio[] = [];
  const unavailable: string[] = [];
  // Ratios describe the whole datastore's storage, so they are for admins only.
  if (reader.isAdmin) {
    await Promise.all(
      inv.repositories
        .filter((r) => r.initialized && r.snapshotIds.length > 0)
        .map(async (r) => {
          try {
            repositories.push(await repositoryRatio(access, r.name, r.snapshotIds, signal));
          } catch (err) {
            if (!(err instanceof ResticError)) throw err;
            unavailable.push(r.name);
          }
        }),
    );
  }
  repositories.sort(byRepositoryName);
  const restoreBytes = repositories.reduce((s, r) => s + r.restoreBytes, 0);
  const rawBytes = repositories.reduce((s, r) => s + r.rawBytes, 0);
  const withUncompressed = repositories.every((r) => r.uncompressedBytes !== undefined);
  const uncompressedBytes = withUncompressed
    ? repositories.reduce((s, r) => s + (r.uncompressedBytes ?? 0), 0)
    : undefined;
  return {
    datastoreId,
    filesystem: inv.filesystem,
    history: shownHistory,
    estimate: estimateFull(history),
    ratios: {
      repositories,
      total:
        rawBytes > 0
          ? {
              restoreBytes,
              rawBytes,
              uncompressedBytes,
              // restore-size counts every snapshot's files in full; uncompressed raw data is what dedup kept.
              dedupFactor: restoreBytes / (uncompressedBytes ?? rawBytes),
              compressionFactor: uncompressedBytes ? uncompressedBytes / rawBytes : undefined,
            }
          : undefined,
      unavailable,
    },
  };
}
