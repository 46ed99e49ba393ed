import type { BackupIncrement, Image, Vm } from '@/lib/opennebula/models';
import type { Snapshot } from '@/lib/restic/types';
import type { BackupChain, ChainLink, DiskFile, Problem, SnapshotRow } from './types';

// Pure joins of OpenNebula's backup images with the snapshots found in a repository. Rules of
// OpenNebula's restic driver (what oned stores after a backup, and how it flattens increments): an image's snapshots are its
// BACKUP_INCREMENTS' SOURCEs, or its SOURCE when it has no increments (FULL mode); the image-level
// SOURCE goes stale after a flatten, so it is ignored when increments exist.

/** Orphans younger than this may belong to a backup or flatten still under way. */
export const ORPHAN_SAFETY_WINDOW_MS = 2 * 3600_000;

const DISK = /\/disk\.(\d+)\.(\d+)$/;
const VM_PATH = /\/(\d+)\/backup\/[^/]+$/;

export function disksOf(paths: readonly string[]): DiskFile[] {
  const out: DiskFile[] = [];
  for (const path of paths) {
    const m = DISK.exec(path);
    if (m) out.push({ diskId: Number(m[1]), increment: Number(m[2]), path });
  }
  return out.sort((a, b) => a.diskId - b.diskId || a.increment - b.increment);
}

export function vmOfSnapshot(s: Pick<Snapshot, 'tags' | 'paths'>): number | undefined {
  for (const t of s.tags) {
    const m = /^one-(\d+)$/.exec(t);
    if (m) return Number(m[1]);
  }
  for (const p of s.paths) {
    const m = VM_PATH.exec(p);
    if (m) return Number(m[1]);
  }
  return undefined;
}

/** The repository an image's snapshots live in: job_<BACKUP_JOB_ID>, else the VM's. */
export function repositoryOfImage(image: Pick<Image, 'backupJobId' | 'vmIds' | 'path'>): string | undefined {
  if (image.backupJobId !== undefined) return `job_${image.backupJobId}`;
  if (image.vmIds[0] !== undefined) return String(image.vmIds[0]);
  const m = VM_PATH.exec(image.path);
  return m ? m[1] : undefined;
}

/** The increments that name snapshots: BACKUP_INCREMENTS, or SOURCE as increment 0 in FULL mode. */
export function referencesOf(image: Pick<Image, 'increments' | 'source' | 'regtime' | 'sizeMb'>): BackupIncrement[] {
  if (image.increments.length > 0) return [...image.increments].sort((a, b) => a.id - b.id);
  if (!image.source) return [];
  return [{ id: 0, parentId: null, type: 'FULL', source: image.source, sizeMb: image.sizeMb, date: image.regtime }];
}

function findSnapshot(snapshots: readonly Snapshot[], source: string): Snapshot | undefined {
  if (!/^[0-9a-f]{4,64}$/.test(source)) return undefined;
  return snapshots.find((s) => s.id.startsWith(source));
}

export type RepositoryLinkage = {
  rows: SnapshotRow[];
  chains: BackupChain[];
  problems: Problem[];
};

/**
 * Links one repository's snapshots with the backup images stored in it. `busyVms` are VMs with a
 * backup under way (their fresh snapshots are not yet on an image).
 */
export function linkRepository(
  repository: string,
  snapshots: readonly Snapshot[],
  images: readonly Image[],
  busyVms: ReadonlySet<number>,
  now: number,
): RepositoryLinkage {
  const byId = new Map<string, { image: Image; inc: BackupIncrement }>();
  const chains: BackupChain[] = [];
  const problems: Problem[] = [];

  for (const image of images) {
    const refs = referencesOf(image);
    const links: ChainLink[] = [];
    let intact = refs.length > 0;
    const ids = new Set(refs.map((r) => r.id));
    for (const inc of refs) {
      const snap = findSnapshot(snapshots, inc.source);
      links.push({
        incrementId: inc.id,
        type: inc.type,
        source: inc.source,
        snapshotId: snap?.id,
        date: inc.date,
        sizeMb: inc.sizeMb,
      });
      if (snap) byId.set(snap.id, { image, inc });
      else {
        intact = false;
        const increment = image.increments.length > 0;
        problems.push({
          kind: increment ? 'dangling-increment' : 'dangling-image',
          repository,
          severity: 'error',
          imageId: image.id,
          incrementId: increment ? inc.id : undefined,
          message: increment
            ? `Increment ${inc.id} of backup image ${image.id} names snapshot ${inc.source}, which is not in repository ${repository}.`
            : `Backup image ${image.id} (“${image.name}”) names snapshot ${inc.source}, which is not in repository ${repository}.`,
          action: increment
            ? 'This increment and the ones after it cannot be restored. Take a new backup with --reset to start a new chain, then delete this image.'
            : 'This backup cannot be restored. Delete the image in OpenNebula (oneimage delete) so no one relies on it, and take a new backup.',
        });
      }
      if (inc.type === 'INCREMENT' && (inc.parentId === null || !ids.has(inc.parentId))) intact = false;
    }
    if (refs[0] && refs[0].type !== 'FULL') intact = false;
    if (!intact && refs.length > 1 && !problems.some((p) => p.kind === 'broken-chain' && p.imageId === image.id)) {
      problems.push({
        kind: 'broken-chain',
        repository,
        severity: 'error',
        imageId: image.id,
        message: `The increment chain of backup image ${image.id} is broken: restores of its later increments will fail.`,
        action:
          'Take a new backup with --reset to start a new chain; keep this image only if its first increments are still needed.',
      });
    }
    chains.push({
      imageId: image.id,
      imageName: image.name,
      vmId: image.vmIds[0],
      mode: image.increments.length ? 'INCREMENT' : 'FULL',
      links,
      intact,
    });
  }

  const linked = snapshots.map((s) => {
    const ref = byId.get(s.id);
    const vmId = vmOfSnapshot(s);
    const orphan = !ref;
    const at = Date.parse(s.time);
    const age = now - at;
    const orphanFlagged = orphan && age > ORPHAN_SAFETY_WINDOW_MS && !(vmId !== undefined && busyVms.has(vmId));
    if (orphanFlagged) {
      problems.push({
        kind: 'orphan-snapshot',
        repository,
        severity: 'warning',
        snapshotId: s.id,
        message: `Snapshot ${s.shortId} of ${vmId !== undefined ? `VM ${vmId}` : 'an unknown VM'} is referenced by no backup image or increment.`,
        action:
          'It only takes space (an interrupted backup, flatten or deletion leaves such snapshots). Forget it with orphan cleanup, then prune.',
      });
    }
    const row: SnapshotRow = {
      id: s.id,
      shortId: s.shortId,
      time: s.time,
      hostname: s.hostname,
      tags: s.tags,
      paths: s.paths,
      disks: disksOf(s.paths),
      vmId,
      logicalBytes: s.summary?.totalBytesProcessed ?? (ref ? ref.inc.sizeMb * 1024 * 1024 : undefined),
      imageId: ref?.image.id,
      imageName: ref?.image.name,
      incrementId: ref?.inc.id,
      incrementType: ref?.inc.type,
      orphan,
      orphanFlagged,
    };
    return { row, at: Number.isFinite(at) ? at : 0 };
  });
  // Newest first, as instants (restic writes each host's UTC offset), each time parsed once: a
  // string compare per pair (localeCompare) was most of linking 10,000 snapshots.
  linked.sort((a, b) => b.at - a.at || compareStrings(b.row.time, a.row.time));
  return { rows: linked.map((x) => x.row), chains, problems };
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** VMs with a backup under way: their newest snapshots may not be on an image yet. */
export function busyVmIds(vms: readonly Pick<Vm, 'id' | 'backingUp'>[]): Set<number> {
  return new Set(vms.filter((v) => v.backingUp).map((v) => v.id));
}
