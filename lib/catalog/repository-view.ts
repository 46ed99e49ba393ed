import 'server-only';
import type { RepositoryListing } from '@/lib/backup-server';
import type { Image } from '@/lib/opennebula';
import type { Cloud } from './cloud';
import { linkRepository, type RepositoryLinkage } from './linkage';
import type { ListingFacts } from './listing-reads';
import type { RepositoryRow } from './types';
import { jobOfRepository, pendingSnapshotCount, seenLinkage, seesImage, seesWholeRepository } from './visibility';

// One repository as a row: its snapshots linked with the images that name them, cut down to what
// the reader may see, every count and sum computed over that.

/** No snapshot linked (yet): restic has not answered, or the backup server is out of reach. */
export function nothingLinked(): RepositoryLinkage {
  return { rows: [], chains: [], problems: [] };
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
