import 'server-only';
import { createHash } from 'node:crypto';
import { byRepositoryName, s3Location, type Filesystem } from '@/lib/backup-server';
import { getDatastore } from '@/lib/opennebula';
import { stats, ResticError } from '@/lib/restic';
import { getDb } from '@/lib/store';
import { datastoreAccess, datastoreAccessWithin, type DatastoreAccess } from './access';
import { datastoreWithin } from './datastores';
import { estimateFull, s3MonitorFilesystem, samples, type CapacitySample, type FullEstimate } from './capacity';
import { sharedInventory } from './inventory-reads';
import type { Reader } from './reader';
import { sharedCache } from '@/lib/cache';
import { StillReading, valueWithin, type Freshness } from './shared-reads';
import { keyOf } from './snapshot-facts';

// The Capacity tab: df now, the stored history with an estimated-full date, and how much restic's
// deduplication and compression save (restore-size vs raw-data, per repository, cached until the
// repository's set of snapshots changes).

export type RepositoryRatio = { name: string; restoreBytes: number; rawBytes: number; uncompressedBytes?: number };

/** A sample as the reader may see it: the stored total (every repository) is for admins only. */
export type HistorySample = Omit<CapacitySample, 'storedBytes'> & { storedBytes?: number };

export type CapacityReport = {
  datastoreId: number;
  filesystem?: Filesystem;
  /** What `filesystem` is: df on the backup server, or (S3) OpenNebula's S3 monitor of the bucket. */
  source: 'df' | 's3-monitor';
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
    /** Repositories whose ratios restic is still computing (the answer did not wait for them). */
    pending: string[];
  };
  /** How current the backup server's listing behind `filesystem` is (see sharedInventory). */
  freshness: Freshness;
};

// Two `restic stats` per repository whose snapshots changed: shared by every caller while they run.
const ratioReads = sharedCache<RepositoryRatio>('catalog.repository-ratios', { freshMs: 0, max: 500 });

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

/**
 * With `answerWithinMs`, the backup server and restic get at most that long: ratios not computed by
 * then are listed as pending (the reads go on), and a listing not read yet throws StillReading.
 */
export async function capacityReport(
  reader: Reader,
  datastoreId: number,
  signal?: AbortSignal,
  opts: { answerWithinMs?: number } = {},
): Promise<CapacityReport> {
  const started = Date.now();
  const left = () =>
    opts.answerWithinMs === undefined ? undefined : Math.max(0, started + opts.answerWithinMs - Date.now());
  // With a bound, OpenNebula's reads too answer within it (the last ones while oned is slow).
  const bound = opts.answerWithinMs;
  const ds =
    bound === undefined
      ? await getDatastore(reader.credential, datastoreId)
      : (await datastoreWithin(reader, datastoreId, { answerWithinMs: left() ?? 0 })).value;
  const access =
    bound === undefined
      ? await datastoreAccess(datastoreId)
      : (await datastoreAccessWithin(datastoreId, { answerWithinMs: left() ?? 0 })).value;
  const answer = await sharedInventory(access, undefined, left(), signal);
  const inv = answer.value;
  if (!inv) throw new StillReading(`Still reading datastore ${datastoreId} from the backup server.`);
  // The history is sampled by the datastore's capacity schedule (lib/schedules): a read writes nothing.
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
  const pending: string[] = [];
  // Ratios describe the whole datastore's storage, so they are for admins only.
  if (reader.isAdmin) {
    await Promise.all(
      inv.repositories
        .filter((r) => r.initialized && r.snapshotIds.length > 0)
        .map(async (r) => {
          const key = `${keyOf(access.repo(r.name))}\0${r.snapshotIds.join(',')}`;
          // Shared: no caller's signal reaches restic.
          const read = ratioReads.read(key, () => repositoryRatio(access, r.name, r.snapshotIds));
          try {
            const waitMs = left();
            const ratio = waitMs === undefined ? await read : await valueWithin(read, waitMs);
            if (ratio) repositories.push(ratio);
            else pending.push(r.name);
          } catch (err) {
            if (!(err instanceof ResticError)) throw err;
            unavailable.push(r.name);
          }
        }),
    );
  }
  pending.sort((a, b) => byRepositoryName({ name: a }, { name: b }));
  repositories.sort(byRepositoryName);
  const restoreBytes = repositories.reduce((s, r) => s + r.restoreBytes, 0);
  const rawBytes = repositories.reduce((s, r) => s + r.rawBytes, 0);
  const withUncompressed = repositories.every((r) => r.uncompressedBytes !== undefined);
  const uncompressedBytes = withUncompressed
    ? repositories.reduce((s, r) => s + (r.uncompressedBytes ?? 0), 0)
    : undefined;
  return {
    datastoreId,
    // A bucket has no df: its capacity is OpenNebula's S3 monitor, as the reader's datastore shows it.
    filesystem: access.backend === 's3' ? s3MonitorFilesystem(ds, s3Location(access.s3)) : inv.filesystem,
    source: access.backend === 's3' ? 's3-monitor' : 'df',
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
      pending,
    },
    freshness: answer.freshness,
  };
}
