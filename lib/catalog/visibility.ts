import type { BackupJob, Image, Vm } from '@/lib/opennebula/models';
import { referencesOf, type RepositoryLinkage } from './linkage';
import type { Problem, SnapshotRow } from './types';

// What one person may see of the repositories: exactly what OpenNebula shows them, counts and sums
// included. Consistency is judged over every image of the datastore (an orphan is a snapshot no
// image refers to, whoever owns the image); what a non-admin then gets is decided by OpenNebula's
// own answers for their identity: `onevm list`, `oneimage list`, `onebackupjob list`.
//
// - A snapshot an image refers to is seen with that image; one no image refers to (an orphan) with
//   its VM (its one-<VM> tag).
// - A problem is seen with the image or snapshot it is about; one about the repository itself (not a
//   repository, unreadable) with the repository.
// - A Backup Job's repository mixes several owners' backups: what it takes on disk and its locks
//   cannot be split per VM, so they are withheld; the job's name shows only if OpenNebula shows
//   the job.

/** Everything (admins), or what OpenNebula lists for the reader's own identity. */
export type Sight =
  | { all: true }
  | { all: false; vms: ReadonlyMap<number, Vm>; imageIds: ReadonlySet<number>; jobIds: ReadonlySet<number> };

export const SEES_ALL: Sight = { all: true };

export function sightOf(own: { vms: readonly Vm[]; images: readonly Image[]; jobs: readonly BackupJob[] }): Sight {
  return {
    all: false,
    vms: new Map(own.vms.map((v) => [v.id, v])),
    imageIds: new Set(own.images.map((i) => i.id)),
    jobIds: new Set(own.jobs.map((j) => j.id)),
  };
}

/** The Backup Job ID of a job_<ID> repository. */
export function jobOfRepository(name: string): number | undefined {
  const m = /^job_(\d+)$/.exec(name);
  return m ? Number(m[1]) : undefined;
}

/**
 * May the reader see repository `name` at all? `images` are every image stored in it (whoever owns
 * them), `jobs` every Backup Job (the service's view: which VMs a job holds).
 */
export function seesRepository(
  sight: Sight,
  name: string,
  images: readonly Pick<Image, 'id'>[],
  jobs: readonly Pick<BackupJob, 'id' | 'vmIds'>[],
): boolean {
  if (sight.all) return true;
  if (images.some((i) => sight.imageIds.has(i.id))) return true;
  const jobId = jobOfRepository(name);
  if (jobId === undefined) return sight.vms.has(Number(name));
  if (sight.jobIds.has(jobId)) return true;
  return (jobs.find((j) => j.id === jobId)?.vmIds ?? []).some((id) => sight.vms.has(id));
}

export function seesImage(sight: Sight, image: Pick<Image, 'id'>): boolean {
  return sight.all || sight.imageIds.has(image.id);
}

export function seesSnapshot(sight: Sight, s: Pick<SnapshotRow, 'imageId' | 'vmId'>): boolean {
  if (sight.all) return true;
  if (s.imageId !== undefined) return sight.imageIds.has(s.imageId);
  return s.vmId !== undefined && sight.vms.has(s.vmId);
}

function seesProblem(sight: Sight, p: Problem, seenSnapshots: ReadonlySet<string>): boolean {
  if (sight.all) return true;
  if (p.imageId !== undefined) return sight.imageIds.has(p.imageId);
  if (p.snapshotId !== undefined) return seenSnapshots.has(p.snapshotId);
  return true;
}

/** The part of one repository's snapshots, chains and problems the reader may see. */
export function seenLinkage(sight: Sight, linkage: RepositoryLinkage): RepositoryLinkage {
  if (sight.all) return linkage;
  const rows = linkage.rows.filter((s) => seesSnapshot(sight, s));
  const ids = new Set(rows.map((s) => s.id));
  return {
    rows,
    chains: linkage.chains.filter((c) => sight.imageIds.has(c.imageId)),
    problems: linkage.problems.filter((p) => seesProblem(sight, p, ids)),
  };
}

/**
 * May the reader see what the repository takes on disk and its locks? Only when everything in it
 * is theirs to see: a VM's own repository, of a VM OpenNebula shows them.
 */
export function seesWholeRepository(sight: Sight, name: string): boolean {
  return sight.all || (jobOfRepository(name) === undefined && sight.vms.has(Number(name)));
}

/**
 * How many snapshots the reader sees in a repository restic has not read yet: those the reader's
 * images name, and, in their own VM's repository, those no image names (orphans of that VM). In a
 * job's repository an orphan's VM is known only once restic has read it.
 */
export function pendingSnapshotCount(
  sight: Sight,
  name: string,
  snapshotIds: readonly string[],
  images: readonly Image[],
): number {
  if (sight.all) return snapshotIds.length;
  const named = (list: readonly Image[]) => list.flatMap((i) => referencesOf(i).map((r) => r.source));
  const isNamedBy = (sources: readonly string[]) => (id: string) =>
    sources.some((s) => s.length >= 4 && id.startsWith(s));
  const mine = isNamedBy(named(images.filter((i) => sight.imageIds.has(i.id))));
  const anyone = isNamedBy(named(images));
  const orphansSeen = seesWholeRepository(sight, name);
  return snapshotIds.filter((id) => mine(id) || (orphansSeen && !anyone(id))).length;
}
