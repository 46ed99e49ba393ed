import 'server-only';
import { byRepositoryName, type Filesystem, type Inventory, type RepositoryListing } from '@/lib/backup-server';
import { ExecError } from '@/lib/exec';
import { logger } from '@/lib/log';
import {
  getDatastore,
  listBackupImages,
  listBackupJobs,
  listVms,
  type BackupJob,
  type Datastore,
  type Image,
  type OneCredential,
  type Vm,
} from '@/lib/opennebula';
import { resticBinary } from '@/lib/restic';
import { accessFrom, datastoreAccess, isResticBackupDatastore, type DatastoreAccess } from './access';
import { recordSample } from './capacity';
import { sharedInventory } from './inventory-reads';
import { busyVmIds, linkRepository, repositoryOfImage, type RepositoryLinkage } from './linkage';
import {
  jobOfRepository,
  pendingSnapshotCount,
  seenLinkage,
  seesImage,
  seesRepository,
  seesWholeRepository,
  SEES_ALL,
  sightOf,
  type Sight,
} from './visibility';
import { settleWithin, sharedListingRead, type ListingFacts } from './listing-reads';
import { ANSWER_WITHIN_MS, type Freshness } from './shared-reads';
import type { Problem, RepositoryRow } from './types';

const log = logger('catalog');

/** Who is looking: their own OpenNebula identity decides which VMs are theirs. */
export type Reader = { username: string; isAdmin: boolean; credential: OneCredential };

export type ServerStatus =
  | { reachable: true; host: string; user: string; resticVersion: string; resticPath: string; syncedBinary: boolean }
  | { reachable: false; host: string; user: string; message: string };

export type DatastoreInfo = Pick<
  Datastore,
  | 'id'
  | 'name'
  | 'type'
  | 'dsMad'
  | 'tmMad'
  | 'basePath'
  | 'state'
  | 'clusterIds'
  | 'totalMb'
  | 'freeMb'
  | 'usedMb'
  | 'uname'
  | 'gname'
> & {
  imageCount: number;
  isRestic: boolean;
  /** Template attributes; encrypted ones (RESTIC_PASSWORD) are listed by name only. */
  template: Record<string, string>;
  secretAttributeNames: string[];
};

export type DatastoreOverview = {
  datastore: DatastoreInfo;
  server?: ServerStatus;
  filesystem?: Filesystem;
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

/** The datastore as the reader's own identity sees it (OpenNebula refuses one they may not see). */
export async function readDatastore(reader: Reader, id: number): Promise<Datastore> {
  return getDatastore(reader.credential, id);
}

export function datastoreInfo(ds: Datastore): DatastoreInfo {
  return {
    id: ds.id,
    name: ds.name,
    type: ds.type,
    dsMad: ds.dsMad,
    tmMad: ds.tmMad,
    basePath: ds.basePath,
    state: ds.state,
    clusterIds: ds.clusterIds,
    totalMb: ds.totalMb,
    freeMb: ds.freeMb,
    usedMb: ds.usedMb,
    uname: ds.uname,
    gname: ds.gname,
    imageCount: ds.imageIds.length,
    isRestic: isResticBackupDatastore(ds),
    template: ds.template,
    secretAttributeNames: ds.secretAttributeNames,
  };
}

export type Cloud = { images: Image[]; vms: Vm[]; jobs: BackupJob[]; sight: Sight };

/**
 * OpenNebula's side. Consistency needs every image of the datastore (an orphan is a snapshot no
 * image refers to, whoever owns the image), so the service identity reads them; what a non-admin
 * may see is then what OpenNebula lists for their own identity (visibility.ts).
 */
export async function readCloud(reader: Reader, datastoreId: number): Promise<Cloud> {
  const service: OneCredential = { kind: 'service' };
  const own = reader.credential;
  const [images, vms, jobs, sight] = await Promise.all([
    listBackupImages(service, datastoreId),
    listVms(service),
    listBackupJobs(service),
    reader.isAdmin
      ? SEES_ALL
      : Promise.all([listVms(own), listBackupImages(own, datastoreId), listBackupJobs(own)]).then(([v, i, j]) =>
          sightOf({ vms: v, images: i, jobs: j }),
        ),
  ]);
  return { images, vms, jobs, sight };
}

/** Each repository's images, by the repository OpenNebula stores them in. */
export function imagesByRepository(images: readonly Image[]): Map<string, Image[]> {
  const out = new Map<string, Image[]>();
  for (const image of images) {
    const repo = repositoryOfImage(image);
    if (!repo) continue;
    const list = out.get(repo);
    if (list) list.push(image);
    else out.set(repo, [image]);
  }
  return out;
}

function bytesOfMb(mb: number): number {
  return mb * 1024 * 1024;
}

/**
 * One repository as the reader may see it: `linkage` and `images` are the whole repository's, the
 * row and the returned linkage hold only what the reader sees (visibility.ts), every count and sum
 * computed over that. `pending`: restic has not read the new snapshots yet (no verdict).
 */
export function repositoryView(
  name: string,
  listing: RepositoryListing | undefined,
  linkage: RepositoryLinkage,
  images: Image[],
  cloud: Cloud,
  pending = false,
): { row: RepositoryRow; seen: RepositoryLinkage } {
  const { sight } = cloud;
  const jobId = jobOfRepository(name);
  const seen = seenLinkage(sight, linkage);
  const seenImages = images.filter((i) => seesImage(sight, i));
  const vmOf = (id: number) => (sight.all ? cloud.vms.find((v) => v.id === id) : sight.vms.get(id));
  const whole = seesWholeRepository(sight, name);
  const problems = [...seen.problems];
  if (listing && !listing.initialized && listing.snapshotIds.length === 0) {
    problems.push({
      kind: 'uninitialized',
      repository: name,
      severity: 'warning',
      message: `Folder ${name} under BASE_PATH is not a restic repository (no config file).`,
      action:
        'OpenNebula creates the repository at the first backup; if none is expected, the folder can be removed by hand.',
    });
  }
  const row: RepositoryRow = {
    name,
    kind: jobId !== undefined ? 'job' : 'vm',
    snapshotCount: pending ? pendingSnapshotCount(sight, name, listing?.snapshotIds ?? [], images) : seen.rows.length,
    lastBackupAt: seen.rows[0]?.time,
    logicalBytes: seenImages.reduce((sum, i) => sum + bytesOfMb(i.sizeMb), 0),
    ...(whole
      ? {
          storedBytes: listing?.storedBytes,
          locks: listing?.locks.length ?? 0,
          newestLockAt: listing?.locks.reduce((m, l) => Math.max(m, l.modified), 0) || undefined,
        }
      : {}),
    imageIds: seenImages.map((i) => i.id),
    consistency: pending
      ? 'pending'
      : problems.some((p) => p.severity === 'error')
        ? 'error'
        : problems.length > 0
          ? 'warning'
          : 'ok',
    problems,
  };
  if (jobId !== undefined) {
    const j = cloud.jobs.find((x) => x.id === jobId);
    row.jobId = jobId;
    if (sight.all || sight.jobIds.has(jobId)) row.jobName = j?.name;
    row.jobVms = (j?.vmIds ?? [])
      .filter((id) => sight.all || sight.vms.has(id))
      .map((id) => ({ id, name: vmOf(id)?.name }));
  } else {
    row.vmId = Number(name);
    const vm = vmOf(row.vmId);
    row.vmName = vm?.name;
    row.owner = vm?.uname ?? seenImages[0]?.uname;
  }
  return { row, seen };
}

export async function serverStatus(access: DatastoreAccess): Promise<ServerStatus> {
  const { host, user = 'oneadmin' } = access.server;
  try {
    const bin = await resticBinary(access.server);
    return { reachable: true, host, user, resticVersion: bin.version, resticPath: bin.path, syncedBinary: bin.synced };
  } catch (err) {
    return { reachable: false, host, user, message: err instanceof Error ? err.message : 'unknown error' };
  }
}

/** Everything about one datastore's repositories, in one SSH round trip plus restic for new snapshots only. */
export async function datastoreOverview(
  reader: Reader,
  id: number,
  signal?: AbortSignal,
  preloaded?: Datastore,
  opts: { answerWithinMs?: number } = {},
): Promise<DatastoreOverview> {
  const started = Date.now();
  // The decrypted datastore (BASE_PATH, server, password) is read alongside the reader's own view
  // of it, and used only once OpenNebula has shown the datastore to the reader's own identity.
  const known = preloaded?.id === id ? preloaded : undefined;
  const accessRead = known && !isResticBackupDatastore(known) ? undefined : datastoreAccess(id);
  accessRead?.catch(() => undefined); // awaited below, after the reader's check
  const ds = known ?? (await getDatastore(reader.credential, id));
  const info = datastoreInfo(ds);
  const base: DatastoreOverview = {
    datastore: info,
    repositories: [],
    problems: [],
    totals: { repositories: 0, snapshots: 0, storedBytes: 0, logicalBytes: 0 },
    pending: 0,
    freshness: { state: 'fresh', readAt: Date.now() },
    generatedAt: Date.now(),
  };
  if (!info.isRestic || !accessRead) return base;

  // OpenNebula's images and VMs are read while the backup server and restic are asked: neither
  // needs the other until the linking below.
  const cloudRead = readCloud(reader, id);
  cloudRead.catch(() => undefined); // awaited below; this only keeps an early failure elsewhere from going unhandled
  const access = await accessRead;
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
        const cloud = await cloudRead;
        const byRepo = imagesByRepository(cloud.images);
        listings = listings.filter((l) => seesRepository(cloud.sight, l.name, byRepo.get(l.name) ?? [], cloud.jobs));
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
      server = {
        reachable: false,
        host: access.server.host,
        user: access.server.user ?? 'oneadmin',
        message: freshness.message ?? '',
      };
    }
  } catch (err) {
    if (!(err instanceof ExecError)) throw err;
    log.warn('backup server unreachable', { datastore: id, error: err.message });
    inv = undefined;
    server = {
      reachable: false,
      host: access.server.host,
      user: access.server.user ?? 'oneadmin',
      message: err.message,
    };
  }
  const cloud = await cloudRead;

  const imagesByRepo = imagesByRepository(cloud.images);
  const listingOf = new Map((inv?.repositories ?? []).map((r) => [r.name, r]));
  const names = [...new Set([...imagesByRepo.keys(), ...listingOf.keys()])].filter((name) =>
    seesRepository(cloud.sight, name, imagesByRepo.get(name) ?? [], cloud.jobs),
  );
  const busy = busyVmIds(cloud.vms);
  const now = Date.now();
  const unlinked: RepositoryLinkage = { rows: [], chains: [], problems: [] };
  const shown = names
    .map((name) => {
      const images = imagesByRepo.get(name) ?? [];
      const listing = listingOf.get(name);
      // Still being read: its count and size are known, but no verdict until restic has answered.
      // While the server has never answered, every repository is still being read.
      const read = freshness.state === 'reading' ? undefined : inv && listing ? facts.get(name) : { snapshots: [] };
      if (!read) return repositoryView(name, listing, unlinked, images, cloud, true).row;
      // Without the server, only OpenNebula's side is known: no verdict on snapshots.
      const linkage = inv ? linkFacts(name, read, images, busy, now) : unlinked;
      return repositoryView(name, listing, linkage, images, cloud).row;
    })
    .sort(byRepositoryName);
  if (inv?.filesystem && freshness.state === 'fresh') {
    const stored = inv.repositories.reduce((s, r) => s + r.storedBytes, 0);
    recordSample(id, inv.filesystem, stored);
  }
  return {
    ...base,
    server,
    filesystem: inv?.filesystem,
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
  };
}

/** Links one repository's snapshots with its images. */
export function linkFacts(
  name: string,
  facts: ListingFacts,
  images: Image[],
  busy: ReadonlySet<number>,
  now: number,
): RepositoryLinkage {
  if ('unreadable' in facts) return { rows: [], chains: [], problems: [facts.unreadable] };
  if ('notARepository' in facts) return linkRepository(name, [], [], busy, now);
  return linkRepository(name, facts.snapshots, images, busy, now);
}

export { accessFrom };
