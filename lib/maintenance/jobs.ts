import 'server-only';
import {
  accessInventory,
  accessServerKey,
  datastoreAccess,
  repositoryDetail,
  RepositoryNotFound,
  type DatastoreAccess,
  type Reader,
} from '@/lib/catalog';
import { JobFailed, submitJob, type JobContext } from '@/lib/jobs';
import { listBackupImages } from '@/lib/opennebula';
import { check, forget, prune, RepositoryLocked, type PrunePlan } from '@/lib/restic';
import type { OrphanCandidate, PrunePreview } from '@/lib/schemas/maintenance';
import { datastoreBackups, readBackups, repositoryBackups } from './backups';
import { recordCheck } from './check-results';
import { checkTitle, forgetTitle, pruneTitle } from './job-titles';
import { MaintenanceRefused } from './errors';
import { orphanCandidates } from './orphans-rule';

// Prune (dry-run preview, then a job), check (a job whose result is kept per repository) and
// orphan cleanup (preview, then a forget job). Every job checks its preconditions again when it
// starts: it may have waited in the queue.

function previewOf(plan: PrunePlan, access: DatastoreAccess, name: string): PrunePreview {
  const o = access.repo(name).options;
  return {
    toRepackBytes: plan.toRepack.bytes,
    toRemoveBytes: plan.toRemove.bytes,
    toDeleteBytes: plan.toDelete.bytes,
    totalPruneBytes: plan.totalPrune.bytes,
    remainingBytes: plan.remaining.bytes,
    unusedAfterPruneBytes: plan.unusedAfterPrune,
    toDeleteBlobs: plan.toDelete.blobs,
    toRepackBlobs: plan.toRepack.blobs,
    maxUnused: o.pruneMaxUnused,
    maxRepack: o.pruneMaxRepack,
  };
}

/** Refuses while OpenNebula backs up a VM that may write into this datastore. */
async function refuseWhileBackingUp(access: DatastoreAccess, datastoreId: number, what: string): Promise<void> {
  const [cloud, inv] = await Promise.all([readBackups(), accessInventory(access)]);
  const running = datastoreBackups(
    cloud,
    datastoreId,
    inv.repositories.map((r) => r.name),
  );
  if (running.length > 0) {
    throw new MaintenanceRefused(
      `Refused: ${what} waits until no backup runs on datastore ${datastoreId}. Running now: ${running
        .map((b) => `VM ${b.vmId}${b.vmName ? ` “${b.vmName}”` : ''} (${b.state})`)
        .join(', ')}.`,
    );
  }
}

/** Refuses, before any restic runs or any job is queued, a repository that is not on the server. */
async function requireRepository(access: DatastoreAccess, repository: string): Promise<void> {
  const inv = await accessInventory(access, { only: repository });
  if (!inv.repositories.some((r) => r.name === repository && r.initialized))
    throw new RepositoryNotFound(`There is no repository ${repository} in datastore ${access.datastore.id}.`);
}

/** check and forget take an exclusive lock: they would make a backup into this repository fail. */
async function refuseWhileRepositoryBacksUp(repository: string, what: string): Promise<void> {
  const running = repositoryBackups(await readBackups(), repository);
  if (running.length > 0) {
    throw new MaintenanceRefused(
      `Refused: ${what} locks repository ${repository} exclusively, and OpenNebula is backing up ${running
        .map((b) => `VM ${b.vmId}${b.vmName ? ` “${b.vmName}”` : ''}`)
        .join(', ')} into it. Try again when the backup has ended.`,
    );
  }
}

function lockedHint(err: unknown): never {
  if (err instanceof RepositoryLocked) throw new JobFailed(err.message);
  throw err;
}

/** `restic prune --dry-run` with the datastore's RESTIC_PRUNE_MAX_UNUSED / _MAX_REPACK. */
export async function previewPrune(datastoreId: number, repository: string, signal?: AbortSignal) {
  const access = await datastoreAccess(datastoreId);
  await requireRepository(access, repository);
  const { plan } = await prune(access.repo(repository), { dryRun: true, signal, timeoutMs: 30 * 60_000 });
  return previewOf(plan, access, repository);
}

export async function submitPrune(actor: string, datastoreId: number, repository: string): Promise<number> {
  const access = await datastoreAccess(datastoreId);
  await requireRepository(access, repository);
  await refuseWhileBackingUp(access, datastoreId, 'Prune');
  const repo = access.repo(repository);
  return submitJob({
    kind: 'prune',
    title: pruneTitle(repository, { id: datastoreId, name: access.datastore.name }),
    actor,
    serverKey: accessServerKey(access),
    params: { datastoreId, repository, maxUnused: repo.options.pruneMaxUnused, maxRepack: repo.options.pruneMaxRepack },
    run: async (ctx: JobContext) => {
      await refuseWhileBackingUp(access, datastoreId, 'Prune').catch((e: unknown) => {
        throw new JobFailed(e instanceof Error ? e.message : String(e));
      });
      ctx.progress({ message: 'restic prune is running' });
      ctx.log(
        `restic prune --max-unused=${repo.options.pruneMaxUnused}${repo.options.pruneMaxRepack ? ` --max-repack-size=${repo.options.pruneMaxRepack}` : ''}`,
      );
      const out = await prune(repo, { signal: ctx.signal, onLine: (l) => ctx.log(l) }).catch(lockedHint);
      const p = previewOf(out.plan, access, repository);
      return {
        message: `Pruned repository ${repository}: ${p.totalPruneBytes} bytes freed.`,
        result: { datastoreId, repository, prune: p },
      };
    },
  });
}

export async function submitCheck(
  actor: string,
  datastoreId: number,
  repository: string,
  readDataSubsetPercent?: number,
): Promise<number> {
  const access = await datastoreAccess(datastoreId);
  await requireRepository(access, repository);
  await refuseWhileRepositoryBacksUp(repository, 'restic check');
  const repo = access.repo(repository);
  const how = readDataSubsetPercent === undefined ? 'structure only' : `reading ${readDataSubsetPercent} % of the data`;
  return submitJob({
    kind: 'check',
    title: checkTitle(repository, { id: datastoreId, name: access.datastore.name }, how),
    actor,
    serverKey: accessServerKey(access),
    params: { datastoreId, repository, readDataSubsetPercent },
    run: async (ctx: JobContext) => {
      await refuseWhileRepositoryBacksUp(repository, 'restic check').catch((e: unknown) => {
        throw new JobFailed(e instanceof Error ? e.message : String(e));
      });
      ctx.progress({ message: `restic check (${how}) is running` });
      const r = await check(repo, { readDataSubsetPercent, signal: ctx.signal, onLine: (l) => ctx.log(l) }).catch(
        lockedHint,
      );
      recordCheck(datastoreId, repository, {
        ok: r.ok,
        errors: r.errors,
        readDataPercent: r.readDataPercent ?? readDataSubsetPercent,
        jobId: ctx.id,
        actor,
      });
      if (!r.ok) {
        for (const e of r.errors) ctx.log(`error: ${e}`);
        throw new JobFailed(
          `restic check found damage in repository ${repository}: ${r.errors[0] ?? 'see the log'}${r.errors.length > 1 ? ` (and ${r.errors.length - 1} more)` : ''}`,
        );
      }
      return {
        message: `No errors were found in repository ${repository} (${how}).`,
        result: { datastoreId, repository, check: { ok: true, readDataPercent: r.readDataPercent } },
      };
    },
  });
}

/** The orphan snapshots that cleanup may forget, read fresh. */
export async function orphanPreview(
  reader: Reader,
  datastoreId: number,
  repository: string,
): Promise<OrphanCandidate[]> {
  const [detail, images] = await Promise.all([
    repositoryDetail(reader, datastoreId, repository),
    listBackupImages({ kind: 'service' }, datastoreId),
  ]);
  return orphanCandidates(detail.snapshots, images);
}

export async function submitOrphanForget(
  reader: Reader,
  datastoreId: number,
  repository: string,
  ids: readonly string[],
): Promise<number> {
  const eligible = async () => {
    const now = new Set((await orphanPreview(reader, datastoreId, repository)).map((c) => c.id));
    const not = ids.filter((id) => !now.has(id));
    if (not.length > 0)
      throw new MaintenanceRefused(
        `Refused: ${not.map((i) => i.slice(0, 8)).join(', ')} ${not.length === 1 ? 'is' : 'are'} no longer an orphan snapshot this cleanup may forget (an image or increment refers to it, a backup of its VM runs, or it is gone). Preview again.`,
      );
  };
  await eligible();
  await refuseWhileRepositoryBacksUp(repository, 'restic forget');
  const access = await datastoreAccess(datastoreId);
  return submitJob({
    kind: 'orphan-forget',
    title: forgetTitle(ids.length, repository, { id: datastoreId, name: access.datastore.name }),
    actor: reader.username,
    serverKey: accessServerKey(access),
    params: { datastoreId, repository, snapshots: [...ids] },
    run: async (ctx: JobContext) => {
      // Again, right before: nothing an image or increment refers to is ever forgotten.
      await Promise.all([eligible(), refuseWhileRepositoryBacksUp(repository, 'restic forget')]).catch((e: unknown) => {
        throw new JobFailed(e instanceof Error ? e.message : String(e));
      });
      ctx.log(`restic forget ${ids.map((i) => i.slice(0, 8)).join(' ')}`);
      await forget(access.repo(repository), ids, ctx.signal).catch(lockedHint);
      return {
        message: `Forgot ${ids.length} orphan snapshot${ids.length === 1 ? '' : 's'}. Prune frees their space.`,
        result: { datastoreId, repository, forgotten: [...ids] },
      };
    },
  });
}
