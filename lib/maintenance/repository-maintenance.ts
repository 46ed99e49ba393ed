import 'server-only';
import { datastoreAccessWithin, repositoryDetail, type Answer, type Reader } from '@/lib/catalog';
import { ExecError } from '@/lib/exec';
import { listBackupImages } from '@/lib/opennebula';
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
  const [detail, images, access] = await Promise.all([
    repositoryDetail(reader, datastoreId, repository, opts.signal, { answerWithinMs: opts.answerWithinMs }),
    listBackupImages({ kind: 'service' }, datastoreId),
    // Within the bound as the rest (the last one read while oned is slow).
    datastoreAccessWithin(datastoreId, { answerWithinMs: opts.answerWithinMs }).then((a) => a.value),
  ]);
  const orphans: Answer<OrphanCandidate[]> =
    detail.freshness.state === 'reading'
      ? { freshness: detail.freshness }
      : { value: orphanCandidates(detail.snapshots, images), freshness: detail.freshness };
  const dangling: Answer<DanglingImage[]> =
    detail.freshness.state === 'reading'
      ? { freshness: detail.freshness }
      : {
          value: danglingImages(repository, detail.repository.problems, detail.snapshots, images),
          freshness: detail.freshness,
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
    now: Date.now(),
  };
}
