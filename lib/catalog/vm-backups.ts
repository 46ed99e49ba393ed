import 'server-only';
import { isExpectedError } from '@/lib/errors';
import { getVm, listBackupImages, type Image, type Vm } from '@/lib/opennebula';
import { listDatastoreSummaries } from './datastores';
import { referencesOf, repositoryOfImage } from './linkage';
import type { Reader } from './reader';
import { repositoryDetail } from './repository';
import { openNebulaObjectWithin, readerKey, StillReading, type Freshness } from './shared-reads';
import type { ChainLink } from './types';

// One VM's backups across every backup datastore the reader may see: OpenNebula's backup images
// (FULL, or FULL -> INCREMENT chains) joined, repository by repository, with the restic snapshots
// behind them (the same linkage and visibility as the repository pages). The backup server gets a
// bound; what it has not answered by then shows as still reading and the page asks again.

export type VmBackupImage = {
  imageId: number;
  name: string;
  datastoreId: number;
  datastoreName: string;
  /** job_<ID> or the VM's ID; undefined when OpenNebula's record does not say. */
  repository?: string;
  backupJobId?: number;
  mode: 'FULL' | 'INCREMENT';
  /** Epoch seconds. */
  regtime: number;
  sizeMb: number;
  state: Image['state'];
  /** Oldest first; snapshotId is set once the repository's listing has been linked. */
  links: ChainLink[];
  /** Every link's snapshot exists and each increment's parent is in the chain; undefined while unknown. */
  intact?: boolean;
  /** The VM's disk IDs in this backup, when OpenNebula records them (7.x). */
  diskIds?: number[];
};

export type VmBackupDatastore = {
  id: number;
  name: string;
  /** Why this one comes first, when it does (where the VM's backups are, its open chain). */
  hint?: string;
};

export type VmBackups = {
  vm: Vm;
  /** Newest first. */
  images: VmBackupImage[];
  /** Backup datastores for Back up now: the VM's own ones first. */
  datastores: VmBackupDatastore[];
  /** The least fresh of the repositories read (fresh when there is none). */
  freshness: Freshness;
  /** How current OpenNebula's side is (the VM, its backup images, the datastores). */
  opennebula: Freshness;
  /** Repositories the backup server could not be asked about, in plain words. */
  problems: string[];
};

/** Whether the VM is in one of the states a backup or an in-place restore passes through. */
export function vmBusy(vm: Pick<Vm, 'lcmState'>): 'backup' | 'restore' | undefined {
  if (vm.lcmState === 'BACKUP' || vm.lcmState === 'BACKUP_POWEROFF') return 'backup';
  if (vm.lcmState === 'RESTORE') return 'restore';
  return undefined;
}

const FRESHNESS_RANK: Record<Freshness['state'], number> = { fresh: 0, stale: 1, reading: 2 };

/**
 * The VM (a 404-kind error when the reader may not see it) and its backups. The restic side gets
 * at most `answerWithinMs`.
 */
export async function vmBackups(reader: Reader, vmId: number, opts: { answerWithinMs: number }): Promise<VmBackups> {
  const started = Date.now();
  // OpenNebula's side within the bound too: the last one read (stale) or StillReading while oned is
  // slow; a VM OpenNebula says is not there (or not theirs) stays a 404-kind error.
  const one = await openNebulaObjectWithin(
    `vm-backups\0${vmId}\0${readerKey(reader)}`,
    async () => {
      // The reader's own `onevm show` decides first: nothing else is read for a VM they may not see.
      const vm = await getVm(reader.credential, vmId);
      const [allImages, datastores] = await Promise.all([
        listBackupImages(reader.credential),
        listDatastoreSummaries(reader),
      ]);
      return { vm, allImages, datastores };
    },
    { what: `VM ${vmId}`, answerWithinMs: opts.answerWithinMs },
  );
  const { vm, allImages, datastores } = one.value;
  const left = Math.max(0, started + opts.answerWithinMs - Date.now());
  const ownIds = new Set(vm.backups.backupIds);
  const images = allImages.filter((i) => i.vmIds.includes(vmId) || ownIds.has(i.id));

  const repos = new Map<string, { datastoreId: number; repository: string }>();
  for (const i of images) {
    const repository = repositoryOfImage(i);
    if (repository !== undefined)
      repos.set(`${i.datastoreId}/${repository}`, { datastoreId: i.datastoreId, repository });
  }
  const problems: string[] = [];
  let freshness: Freshness = { state: 'fresh', readAt: Date.now() };
  const chains = new Map<number, { links: ChainLink[]; intact: boolean }>();
  const details = await Promise.allSettled(
    [...repos.values()].map((r) =>
      repositoryDetail(reader, r.datastoreId, r.repository, undefined, { answerWithinMs: left }),
    ),
  );
  for (const [n, d] of details.entries()) {
    const r = [...repos.values()][n]!;
    if (d.status === 'rejected' && d.reason instanceof StillReading) {
      // OpenNebula has not said where this repository is yet: its snapshots follow.
      freshness = { state: 'reading' };
      continue;
    }
    if (d.status === 'rejected') {
      problems.push(
        `Repository ${r.repository} of datastore ${r.datastoreId} could not be read: ${
          isExpectedError(d.reason) ? d.reason.userMessage : 'see the server log'
        }`,
      );
      continue;
    }
    if (FRESHNESS_RANK[d.value.freshness.state] > FRESHNESS_RANK[freshness.state]) freshness = d.value.freshness;
    for (const c of d.value.chains) chains.set(c.imageId, { links: c.links, intact: c.intact });
  }

  const rows: VmBackupImage[] = images
    .map((i) => {
      const chain = chains.get(i.id);
      const links: ChainLink[] =
        chain?.links ??
        referencesOf(i).map((inc) => ({
          incrementId: inc.id,
          type: inc.type,
          source: inc.source,
          date: inc.date,
          sizeMb: inc.sizeMb,
        }));
      return {
        imageId: i.id,
        name: i.name,
        datastoreId: i.datastoreId,
        datastoreName: i.datastoreName,
        repository: repositoryOfImage(i),
        ...(i.backupJobId !== undefined ? { backupJobId: i.backupJobId } : {}),
        mode: i.increments.length > 0 ? ('INCREMENT' as const) : ('FULL' as const),
        regtime: i.regtime,
        sizeMb: i.sizeMb,
        state: i.state,
        links: [...links].sort((a, b) => a.incrementId - b.incrementId),
        ...(chain ? { intact: chain.intact } : {}),
        ...(i.backupDiskIds ? { diskIds: i.backupDiskIds } : {}),
      };
    })
    .sort((a, b) => b.regtime - a.regtime || b.imageId - a.imageId);

  return {
    vm,
    images: rows,
    datastores: backupDatastores(vm, rows, datastores),
    freshness,
    opennebula: one.freshness,
    problems,
  };
}

/**
 * The backup datastores the VM may be backed up to, its own first: the datastore of its open
 * incremental chain (oned uses that one whatever is asked, unless a new chain starts), then those
 * that hold its backups, then the other restic ones.
 */
function backupDatastores(
  vm: Vm,
  images: readonly VmBackupImage[],
  all: Awaited<ReturnType<typeof listDatastoreSummaries>>,
): VmBackupDatastore[] {
  const chainImage = vm.backups.config.incrementalBackupId;
  const openChain =
    vm.backups.config.mode === 'INCREMENT' && (vm.backups.config.lastIncrementId ?? -1) >= 0
      ? images.find((i) => i.imageId === chainImage)?.datastoreId
      : undefined;
  const holding = new Set(images.map((i) => i.datastoreId));
  const rank = (id: number) => (id === openChain ? 0 : holding.has(id) ? 1 : 2);
  return all
    .filter((d) => d.type === 'BACKUP_DS')
    .map((d) => ({
      id: d.id,
      name: d.name,
      ...(d.id === openChain
        ? { hint: 'holds the open incremental chain' }
        : holding.has(d.id)
          ? { hint: "holds this VM's backups" }
          : {}),
    }))
    .sort((a, b) => rank(a.id) - rank(b.id) || a.id - b.id);
}
