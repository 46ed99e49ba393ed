import 'server-only';
import { getDb, type Db } from '@/lib/store';
import type { Filesystem, Inventory } from '@/lib/backup-server';
import type { Freshness } from './shared-reads';

// Capacity history of a backup datastore: a df sample is kept at most every SAMPLE_EVERY_MS when
// the datastore's capacity schedule (lib/schedules) records one (recordCapacitySample; pages only
// read), and an estimated-full date comes from a linear fit once there are enough.

export const SAMPLE_EVERY_MS = 15 * 60_000;
export const MIN_SAMPLES_FOR_ESTIMATE = 7;

export type CapacitySample = {
  at: number;
  totalBytes: number;
  usedBytes: number;
  availableBytes: number;
  storedBytes: number;
};

export function recordSample(
  datastoreId: number,
  fs: Filesystem,
  storedBytes: number,
  now = Date.now(),
  db: Db = getDb(),
): boolean {
  const last = db
    .prepare<[number], { at: number }>(
      'SELECT at FROM capacity_samples WHERE datastore_id = ? ORDER BY at DESC LIMIT 1',
    )
    .get(datastoreId);
  if (last && now - last.at < SAMPLE_EVERY_MS) return false;
  db.prepare(
    'INSERT OR REPLACE INTO capacity_samples (datastore_id, at, total_bytes, used_bytes, available_bytes, stored_bytes) VALUES (?, ?, ?, ?, ?, ?)',
  ).run(datastoreId, now, fs.totalBytes, fs.usedBytes, fs.availableBytes, storedBytes);
  return true;
}

/** What a fresh listing of the whole datastore says about its capacity: df, and every repository's size. */
export type CapacityReading = { filesystem: Filesystem; storedBytes: number };

/** The reading of a listing of the whole datastore; none when it is not fresh (an old listing is no sample). */
export function capacityReading(inv: Inventory | undefined, freshness: Freshness): CapacityReading | undefined {
  if (!inv?.filesystem || freshness.state !== 'fresh') return undefined;
  return { filesystem: inv.filesystem, storedBytes: inv.repositories.reduce((s, r) => s + r.storedBytes, 0) };
}

const MIB = 1024 * 1024;

/**
 * An S3 datastore's reading: a bucket has no file system, so its capacity is OpenNebula's S3
 * monitor's (TOTAL_MB, and the datastore's backup images as used, from the datastore as oned
 * reports it) and its stored bytes the bucket's. None when the bucket listing is not fresh.
 */
export function s3CapacityReading(
  inv: Inventory | undefined,
  freshness: Freshness,
  ds: { totalMb: number; usedMb: number; freeMb: number },
  location: string,
): CapacityReading | undefined {
  if (!inv || freshness.state !== 'fresh') return undefined;
  return {
    filesystem: s3MonitorFilesystem(ds, location),
    storedBytes: inv.repositories.reduce((s, r) => s + r.storedBytes, 0),
  };
}

/** OpenNebula's S3 monitor (the datastore's TOTAL_MB, USED_MB, FREE_MB) in a file system's shape. */
export function s3MonitorFilesystem(
  ds: { totalMb: number; usedMb: number; freeMb: number },
  location: string,
): Filesystem {
  return {
    totalBytes: ds.totalMb * MIB,
    usedBytes: ds.usedMb * MIB,
    availableBytes: ds.freeMb * MIB,
    mountPoint: location,
  };
}

/** Keeps the reading as a sample (at most one every SAMPLE_EVERY_MS); false when none was due. */
export function recordCapacitySample(datastoreId: number, reading: CapacityReading | undefined): boolean {
  return reading ? recordSample(datastoreId, reading.filesystem, reading.storedBytes) : false;
}

export function samples(
  datastoreId: number,
  sinceMs = 90 * 24 * 3600_000,
  now = Date.now(),
  db: Db = getDb(),
): CapacitySample[] {
  return db
    .prepare<
      [number, number],
      { at: number; total_bytes: number; used_bytes: number; available_bytes: number; stored_bytes: number }
    >(
      'SELECT at, total_bytes, used_bytes, available_bytes, stored_bytes FROM capacity_samples WHERE datastore_id = ? AND at >= ? ORDER BY at',
    )
    .all(datastoreId, now - sinceMs)
    .map((r) => ({
      at: r.at,
      totalBytes: r.total_bytes,
      usedBytes: r.used_bytes,
      availableBytes: r.available_bytes,
      storedBytes: r.stored_bytes,
    }));
}

export type FullEstimate =
  | { kind: 'not-enough-data'; samples: number; needed: number }
  | { kind: 'never'; bytesPerDay: number }
  | { kind: 'date'; at: number; bytesPerDay: number };

/**
 * When the filesystem fills up if usage keeps growing as it has: least-squares line through
 * (time, used) and where it meets the total. "never" when usage is flat or shrinking.
 */
export function estimateFull(points: readonly CapacitySample[]): FullEstimate {
  if (points.length < MIN_SAMPLES_FOR_ESTIMATE)
    return { kind: 'not-enough-data', samples: points.length, needed: MIN_SAMPLES_FOR_ESTIMATE };
  const n = points.length;
  const t0 = points[0]!.at;
  const xs = points.map((p) => (p.at - t0) / 86_400_000);
  const ys = points.map((p) => p.usedBytes);
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
  }
  const slope = sxx === 0 ? 0 : sxy / sxx;
  if (slope <= 0) return { kind: 'never', bytesPerDay: slope };
  const last = points[n - 1]!;
  const intercept = my - slope * mx;
  const daysToFull = (last.totalBytes - intercept) / slope;
  return { kind: 'date', at: t0 + daysToFull * 86_400_000, bytesPerDay: slope };
}
