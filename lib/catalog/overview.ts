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
  totals: { repositories: number; snapshots: number; storedBytes: number; logicalBytes: number };
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

export type Cloud = { images: Image[]; vms: Vm[]; jobs: BackupJob[]; visibleVmIds: Set<number> };

/**
 * OpenNebula's side. Consistency needs every image of the datastore (an orphan is a snapshot no
 * image refers to, whoever owns the image), so the service identity reads them; what the reader
 * may see is then decided by the VMs OpenNebula lists for the reader's own identity.
 */
export async function readCloud(reader: Reader, datastoreId: number): Promise<Cloud> {
  const service: OneCredential = { kind: 'service' };
  const [images, vms, jobs, mine] = await Promise.all([
    listBackupImages(service, datastoreId),
    listVms(service),
    listBackupJobs(service),
    reader.isAdmin ? undefined : listVms(reader.credential),
  ]);
  const visibleVmIds = new Set((mine ?? vms).map((v) => v.id));
  return { images, vms, jobs, visibleVmIds };
}

function bytesOfMb(mb: number): number {
  return mb * 1024 * 1024;
}

export function repositoryRow(
  name: string,
  listing: RepositoryListing | undefined,
  linkage: RepositoryLinkage,
  images: Image[],
  cloud: Cloud,
  pending = false,
): RepositoryRow {
  const job = /^job_(\d+)$/.exec(name);
  const vmName = (id: number) => cloud.vms.find((v) => v.id === id)?.name;
  const problems = [...linkage.problems];
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
    kind: job ? 'job' : 'vm',
    snapshotCount: pending ? (listing?.snapshotIds.length ?? 0) : linkage.rows.length,
    lastBackupAt: linkage.rows[0]?.time,
    logicalBytes: images.reduce((sum, i) => sum + bytesOfMb(i.sizeMb), 0),
    storedBytes: listing?.storedBytes,
    locks: listing?.locks.length ?? 0,
    newestLockAt: listing?.locks.reduce((m, l) => Math.max(m, l.modified), 0) || undefined,
    imageIds: images.map((i) => i.id),
    consistency: pending
      ? 'pending'
      : problems.some((p) => p.severity === 'error')
        ? 'error'
        : problems.length > 0
          ? 'warning'
          : 'ok',
    problems,
  };
  if (job?.[1]) {
    const j = cloud.jobs.find((x) => x.id === Number(job[1]));
    row.jobId = Number(job[1]);
    row.jobName = j?.name;
    row.jobVms = (j?.vmIds ?? []).map((id) => ({ id, name: vmName(id) }));
  } else {
    row.vmId = Number(name);
    const vm = cloud.vms.find((v) => v.id === row.vmId);
    row.vmName = vm?.name;
    row.owner = vm?.uname ?? images[0]?.uname;
  }
  return row;
}

/** May the reader see this repository? Admins see all; others their own VMs' (and jobs holding them). */
export function visible(row: RepositoryRow, reader: Reader, cloud: Cloud): boolean {
  if (reader.isAdmin) return true;
  if (row.kind === 'vm') return row.vmId !== undefined && cloud.visibleVmIds.has(row.vmId);
  return (row.jobVms ?? []).some((v) => cloud.visibleVmIds.has(v.id));
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
        const unlinked = { rows: [], chains: [], problems: [] };
        listings = listings.filter((l) => visible(repositoryRow(l.name, l, unlinked, [], cloud), reader, cloud));
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

  const imagesByRepo = new Map<string, Image[]>();
  for (const image of cloud.images) {
    const repo = repositoryOfImage(image);
    if (repo) imagesByRepo.set(repo, [...(imagesByRepo.get(repo) ?? []), image]);
  }
  const listingOf = new Map((inv?.repositories ?? []).map((r) => [r.name, r]));
  const names = new Set([...imagesByRepo.keys(), ...listingOf.keys()]);
  const busy = busyVmIds(cloud.vms);
  const now = Date.now();
  const rows = [...names].map((name) => {
    const images = imagesByRepo.get(name) ?? [];
    const listing = listingOf.get(name);
    // Still being read: its count and size are known, but no verdict until restic has answered.
    // While the server has never answered, every repository is still being read.
    const read = freshness.state === 'reading' ? undefined : inv && listing ? facts.get(name) : { snapshots: [] };
    if (!read) return repositoryRow(name, listing, { rows: [], chains: [], problems: [] }, images, cloud, true);
    // Without the server, only OpenNebula's side is known: no verdict on snapshots.
    const linkage: RepositoryLinkage = inv
      ? linkFacts(name, read, images, busy, now)
      : { rows: [], chains: [], problems: [] };
    return repositoryRow(name, listing, linkage, images, cloud);
  });
  const shown = rows.filter((r) => visible(r, reader, cloud)).sort(byRepositoryName);
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
      storedBytes: shown.reduce((s, r) => s + (r.storedBytes ?? 0), 0),
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
