import 'server-only';
import {
  cloudWithin,
  datastoreAccessWithin,
  leastFresh,
  repositoryDetail,
  type Answer,
  type Freshness,
  type Reader,
} from '@/lib/catalog';
import { ExecError } from '@/lib/exec';
import { ResticError, type RepoOptions } from '@/lib/restic';
import type { CheckRecord, DanglingImage, LockInspection, OrphanCandidate } from '@/lib/schemas/maintenance';
import { lastCheck } from './check-results';
import { danglingImages } from './dangling-rule';
import { inspectLocksWithin } from './locks';
import { orphanCandidates } from './orphans-rule';

// What a repository's maintenance page shows, answered within a bound: its locks, its orphan
// snapshots and dangling images as far as they are known by then (fresh, stale with their age, or
// still reading), the prune options and the last check. The page asks again while something is not fresh.

export type LocksAnswer = Answer<LockInspection> | { error: string };

export type RepositoryMaintenance = {
  locks: LocksAnswer;
  orphans: Answer<OrphanCandidate[]>;
  /** Backup images whose snapshot is gone, known as far as the snapshots are. */
  dangling: Answer<DanglingImage[]>;
  options: RepoOptions;
  last?: CheckRecord;
  /** How current OpenNebula's side is (the datastore, its backup images), when it is not fresh. */
  opennebula?: Freshness;
  now: number;
};

/**
 * The repository must exist (RepositoryNotFound otherwise) before anything runs for it on the
 * backup server: its locks are read only once the listing (possibly the last known one) shows it.
 */
export async function repositoryMaintenance(
  reader: Reader,
  datastoreId: number,
  repository: string,
  opts: { answerWithinMs: number; maxAgeMs?: number; signal?: AbortSignal },
): Promise<RepositoryMaintenance> {
  const started = Date.now();
  const left = () => Math.max(0, started + opts.answerWithinMs - Date.now());
  const [detail, cloud, access] = await Promise.all([
    repositoryDetail(reader, datastoreId, repository, opts.signal, { answerWithinMs: opts.answerWithinMs }),
    // Every backup image of the datastore (the service identity's, as orphans need): the read the
    // repository's detail makes too (one key, so it runs once), within the bound as the rest.
    cloudWithin(reader, datastoreId, opts.answerWithinMs),
    // Within the bound as the rest (the last one read while oned is slow).
    datastoreAccessWithin(datastoreId, { answerWithinMs: opts.answerWithinMs }).then((a) => a.value),
  ]);
  // Orphans and dangling images need both sides: the snapshots and OpenNebula's images.
  const images = cloud?.value.images;
  const known = detail.freshness;
  const orphans: Answer<OrphanCandidate[]> =
    known.state === 'reading' || !images
      ? { freshness: { state: 'reading' } }
      : { value: orphanCandidates(detail.snapshots, images), freshness: known };
  const dangling: Answer<DanglingImage[]> =
    known.state === 'reading' || !images
      ? { freshness: { state: 'reading' } }
      : {
          value: danglingImages(repository, detail.repository.problems, detail.snapshots, images),
          freshness: known,
        };
  let locks: LocksAnswer = { freshness: { state: 'reading' } };
  if (detail.freshness.state !== 'reading') {
    try {
      locks = await inspectLocksWithin(datastoreId, repository, left(), {
        signal: opts.signal,
        maxAgeMs: opts.maxAgeMs,
        lockIds: detail.lockFiles,
      });
    } catch (err) {
      if (!(err instanceof ResticError || err instanceof ExecError)) throw err;
      locks = { error: err.message };
    }
  }
  return {
    locks,
    orphans,
    dangling,
    options: access.repo(repository).options,
    last: lastCheck(datastoreId, repository),
    ...opennebulaNote(detail.opennebula, cloud?.freshness),
    now: Date.now(),
  };
}

/** OpenNebula's freshness behind the page, only when it is not fresh. */
function opennebulaNote(...all: (Freshness | undefined)[]): { opennebula?: Freshness } {
  const least = leastFresh(...all.filter((f): f is Freshness => f !== undefined));
  return least.state === 'fresh' ? {} : { opennebula: least };
}
