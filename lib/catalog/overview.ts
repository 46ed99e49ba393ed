import 'server-only';
import { byRepositoryName, s3Location, type Filesystem, type Inventory, type S3Inventory } from '@/lib/backup-server';
import { ExecError } from '@/lib/exec';
import { logger } from '@/lib/log';
import { S3Error, type BucketUsage } from '@/lib/s3';
import { getDatastore, type Datastore } from '@/lib/opennebula';
import { datastoreAccess, datastoreAccessWithin, isResticBackupDatastore, type DatastoreAccess } from './access';
import { capacityReading, type CapacityReading } from './capacity';
import { cloudWithin, imagesByRepository, type Cloud } from './cloud';
import { datastoreInfo, datastoreWithin, type DatastoreInfo } from './datastores';
import { sharedInventory } from './inventory-reads';
import { busyVmIds } from './linkage';
import { settleWithin, sharedListingRead, type ListingFacts } from './listing-reads';
import type { Reader } from './reader';
import { linkFacts, nothingLinked, repositoryView } from './repository-view';
import { s3MonitorCapacity, type S3MonitorCapacity } from './s3-capacity';
import { serverStatus, unreachableServer, type ServerStatus } from './server-status';
import { ANSWER_WITHIN_MS, leastFresh, StillReading, type Bounded, type Freshness } from './shared-reads';
import type { Problem, RepositoryRow } from './types';
import { seesRepository, seesWholeRepository } from './visibility';

// The datastore overview: OpenNebula's side (cloud.ts) joined with one listing of the backup server
// and restic's facts about new snapshots only, as rows the reader may see (repository-view.ts). A
// read and nothing else: the capacity sample its listing allows is handed back for the caller to
// keep (readOverview, recordCapacitySample).

const log = logger('catalog');

function bucketView(
  access: DatastoreAccess,
  inv: Inventory | undefined,
  images: Cloud['images'],
  isAdmin: boolean,
): S3BucketView | undefined {
  if (access.backend !== 's3') return undefined;
  const usage = inv && 'bucket' in inv ? (inv as S3Inventory).bucket : undefined;
  return {
    location: s3Location(access.s3),
    monitor: s3MonitorCapacity(images, access.datastore.template),
    // The whole bucket's bytes tell of every repository in it: admins only, like stored totals.
    usage: isAdmin ? usage : undefined,
  };
}

/**
 * An S3 datastore's bucket: where it is, the capacity OpenNebula's S3 monitor reports (backup
 * image sizes against TOTAL_MB) and, for admins, the bucket's real usage from its listing.
 */
export type S3BucketView = {
  location: string;
  monitor: S3MonitorCapacity;
  usage?: BucketUsage;
};

export type DatastoreOverview = {
  datastore: DatastoreInfo;
  server?: ServerStatus;
  filesystem?: Filesystem;
  /** S3 datastores only; `filesystem` stays empty for them. */
  bucket?: S3BucketView;
  repositories: RepositoryRow[];
  problems: Problem[];
  /** Over what the reader sees; storedBytes is withheld when one of their repositories' is. */
  totals: { repositories: number; snapshots: number; storedBytes?: number; logicalBytes: number };
  /**
   * Repositories whose new snapshots restic is still reading (the answer did not wait for them):
   * their counts and sizes are known, their last backup and consistency follow in a later overview.
   */
  pending: number;
  /**
   * How current the backup server's listing is: fresh; its last listing with its age while the
   * server is slow or failing (`stale`); or `reading`: none yet, only OpenNebula's side shows.
   */
  freshness: Freshness;
  /** Whom `freshness` waits for (the backup server unless said): OpenNebula while it has not said where and what the repositories are. */
  freshnessSource?: 'backup-server' | 'opennebula';
  /** How current OpenNebula's side is (the datastore, its images and VMs), when it is not fresh. */
  opennebula?: Freshness;
  generatedAt: number;
};

/**
 * How soon a page's overview answers, restic or not (unless OpenNebula alone takes longer). Each
 * repository with snapshots Backstone has not read yet costs one restic process, ~0.5 s of the
 * backup server's CPU for the key alone: after a night of backups into 200 repositories the full
 * answer takes about a minute. The page shows what is known by then and asks again; the reads go
 * on meanwhile (sharedListingRead, sharedInventory).
 */
export const OVERVIEW_ANSWER_WITHIN_MS = ANSWER_WITHIN_MS;

export type OverviewOptions = {
  answerWithinMs?: number;
  /** How fresh the preloaded datastore is (a page's bounded read of it). */
  datastoreFreshness?: Freshness;
};

/** Everything about one datastore's repositories, in one SSH round trip plus restic for new snapshots only. */
export async function datastoreOverview(
  reader: Reader,
  id: number,
  signal?: AbortSignal,
  preloaded?: Datastore,
  opts: OverviewOptions = {},
): Promise<DatastoreOverview> {
  return (await readOverview(reader, id, signal, preloaded, opts)).overview;
}

/**
 * The overview, and the capacity reading its listing of the backup server gave when fresh: never
 * sent to the reader (its stored total counts every owner's repositories), but the page or route
 * keeps it as a sample with recordCapacitySample.
 */
export async function readOverview(
  reader: Reader,
  id: number,
  signal?: AbortSignal,
  preloaded?: Datastore,
  opts: OverviewOptions = {},
): Promise<{ overview: DatastoreOverview; capacity?: CapacityReading; opennebula?: Freshness }> {
  const started = Date.now();
  // The decrypted datastore (BASE_PATH, server, password) is read alongside the reader's own view
  // of it, and used only once OpenNebula has shown the datastore to the reader's own identity.
  // With a bound, both are OpenNebula reads for a page: the last ones (stale) or StillReading when
  // oned is slow, a missing datastore still "not found".
  const bounded = opts.answerWithinMs;
  const known = preloaded?.id === id ? preloaded : undefined;
  const accessRead: Promise<Bounded<DatastoreAccess>> | undefined =
    known && !isResticBackupDatastore(known)
      ? undefined
      : bounded === undefined
        ? datastoreAccess(id).then((value) => ({ value, freshness: { state: 'fresh', readAt: Date.now() } }))
        : datastoreAccessWithin(id, { answerWithinMs: bounded });
  accessRead?.catch(() => undefined); // awaited below, after the reader's check
  const dsAnswer: Bounded<Datastore> = known
    ? { value: known, freshness: opts.datastoreFreshness ?? { state: 'fresh', readAt: Date.now() } }
    : bounded === undefined
      ? { value: await getDatastore(reader.credential, id), freshness: { state: 'fresh', readAt: Date.now() } }
      : await datastoreWithin(reader, id, { answerWithinMs: bounded });
  const ds = dsAnswer.value;
  const info = datastoreInfo(ds);
  const base: DatastoreOverview = {
    datastore: info,
    repositories: [],
    problems: [],
    totals: { repositories: 0, snapshots: 0, storedBytes: 0, logicalBytes: 0 },
    pending: 0,
    freshness: { state: 'fresh', readAt: Date.now() },
    freshnessSource: 'backup-server',
    ...(dsAnswer.freshness.state === 'fresh' ? {} : { opennebula: dsAnswer.freshness }),
    generatedAt: Date.now(),
  };
  if (!info.isRestic || !accessRead) return { overview: base, opennebula: dsAnswer.freshness };

  // OpenNebula's images and VMs are read while the backup server and restic are asked: neither
  // needs the other until the linking below.
  const cloudRead = cloudWithin(reader, id, opts.answerWithinMs);
  cloudRead.catch(() => undefined); // awaited below; this only keeps an early failure elsewhere from going unhandled
  let accessAnswer: Bounded<DatastoreAccess>;
  try {
    accessAnswer = await accessRead;
  } catch (err) {
    // OpenNebula has not said where the repositories are yet: only its side of the datastore shows.
    if (!(err instanceof StillReading)) throw err;
    const reading: Freshness = { state: 'reading' };
    return {
      overview: { ...base, freshness: reading, freshnessSource: 'opennebula', opennebula: reading },
      opennebula: reading,
    };
  }
  const access = accessAnswer.value;
  const left = () =>
    opts.answerWithinMs === undefined ? undefined : Math.max(0, started + opts.answerWithinMs - Date.now());
  let inv: Inventory | undefined;
  let server: ServerStatus | undefined;
  let freshness: Freshness = base.freshness;
  let facts = new Map<string, ListingFacts>();
  try {
    const answer = await sharedInventory(access, undefined, left(), signal);
    inv = answer.value;
    freshness = answer.freshness;
    if (inv) {
      let listings = inv.repositories;
      if (!reader.isAdmin) {
        // restic is asked only about the repositories this reader may see.
        const cloud = (await cloudRead)?.value;
        const byRepo = imagesByRepository(cloud?.images ?? []);
        listings = cloud
          ? listings.filter((l) => seesRepository(cloud.sight, l.name, byRepo.get(l.name) ?? [], cloud.jobs))
          : [];
      }
      const reads = listings.map((l) => [l.name, sharedListingRead(access, l.name, l)] as const);
      const status = serverStatus(access);
      [server, facts] = await Promise.all([
        // Known at once after the first answer (the binary is cached per server); never waited for longer.
        settleWithin([[0, status]], left()).then((m) => m.get(0)),
        settleWithin(reads, left()),
      ]);
    }
    if (freshness.state === 'stale' && freshness.reason === 'failed') {
      server = unreachableServer(access, freshness.message ?? '');
    }
  } catch (err) {
    // An S3 endpoint that refuses or cannot be reached is the same finding as a backup server down.
    if (!(err instanceof ExecError) && !(err instanceof S3Error)) throw err;
    log.warn('backup server unreachable', { datastore: id, error: err.message });
    inv = undefined;
    server = unreachableServer(access, err.message);
  }
  const cloudAnswer = await cloudRead;
  // OpenNebula has not said which images and VMs there are: nothing can be linked or shown yet.
  if (!cloudAnswer) {
    const reading: Freshness = { state: 'reading' };
    return {
      overview: { ...base, freshness: reading, freshnessSource: 'opennebula', opennebula: reading },
      opennebula: reading,
    };
  }
  const cloud = cloudAnswer.value;
  const opennebula = leastFresh(dsAnswer.freshness, accessAnswer.freshness, cloudAnswer.freshness);

  const imagesByRepo = imagesByRepository(cloud.images);
  const listingOf = new Map((inv?.repositories ?? []).map((r) => [r.name, r]));
  const names = [...new Set([...imagesByRepo.keys(), ...listingOf.keys()])].filter((name) =>
    seesRepository(cloud.sight, name, imagesByRepo.get(name) ?? [], cloud.jobs),
  );
  const busy = busyVmIds(cloud.vms);
  const now = Date.now();
  const shown = names
    .map((name) => {
      const images = imagesByRepo.get(name) ?? [];
      const listing = listingOf.get(name);
      // Still being read: its count and size are known, but no verdict until restic has answered.
      // While the server has never answered, every repository is still being read.
      const read = freshness.state === 'reading' ? undefined : inv && listing ? facts.get(name) : { snapshots: [] };
      if (!read) return repositoryView(name, listing, nothingLinked(), images, cloud, true).row;
      // Without the server, only OpenNebula's side is known: no verdict on snapshots.
      const linkage = inv ? linkFacts(name, read, images, busy, now) : nothingLinked();
      return repositoryView(name, listing, linkage, images, cloud).row;
    })
    .sort(byRepositoryName);
  const overview: DatastoreOverview = {
    ...base,
    server,
    filesystem: inv?.filesystem,
    bucket: bucketView(access, inv, cloud.images, reader.isAdmin),
    repositories: shown,
    problems: shown.flatMap((r) => r.problems),
    totals: {
      repositories: shown.length,
      snapshots: shown.reduce((s, r) => s + r.snapshotCount, 0),
      // A total of what the reader sees; withheld when a repository's share cannot be told.
      storedBytes: shown.every((r) => seesWholeRepository(cloud.sight, r.name))
        ? shown.reduce((s, r) => s + (r.storedBytes ?? 0), 0)
        : undefined,
      logicalBytes: shown.reduce((s, r) => s + r.logicalBytes, 0),
    },
    pending: shown.filter((r) => r.consistency === 'pending').length,
    freshness,
    freshnessSource: 'backup-server',
    ...(opennebula.state === 'fresh' ? {} : { opennebula }),
  };
  return { overview, capacity: capacityReading(inv, freshness), opennebula };
}
