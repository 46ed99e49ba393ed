'use server';

import { audit, authorize, requestAddress, type Viewer } from '@/lib/auth';
import { auditOutcome, toActionState } from '@/lib/errors';
import {
  deleteDanglingImage,
  previewPrune,
  removeAllLocks,
  removeStaleLocks,
  submitCheck,
  submitOrphanForget,
  submitPrune,
} from '@/lib/maintenance';
import { type ActionState, formFields, invalidState } from '@/lib/schemas/action-state';
import {
  CheckSchema,
  DanglingImageDeleteSchema,
  OrphanForgetSchema,
  RemoveAllLocksSchema,
  RepositoryTargetSchema,
  type PrunePreview,
} from '@/lib/schemas/maintenance';

// Repository maintenance, admins only: the guard first, the shared schema, then lib/maintenance.
// Every write is audited with its outcome; expected failures come back as typed states.

type Submitted = { jobId: number };
type Unlocked = { removed: string[]; remaining: string[] };

function formOf(formData: unknown): Record<string, unknown> | undefined {
  const o = formFields(formData);
  if (!o || !(formData instanceof FormData)) return undefined;
  o.snapshots = formData.getAll('snapshot').filter((v): v is string => typeof v === 'string');
  return o;
}

async function record(v: Viewer, action: string, target: string, outcome: 'ok' | 'failed' | 'refused', detail: string) {
  audit({ actor: v.username, action, target, outcome, detail, address: await requestAddress() });
}

const targetOf = (d: { datastoreId: number; repository: string }) =>
  `datastore ${d.datastoreId} repository ${d.repository}`;

async function run<I extends { datastoreId: number; repository: string }, T>(
  v: Viewer,
  action: string,
  input: I,
  work: () => Promise<{ data: T; message: string; detail: string }>,
): Promise<ActionState<T>> {
  try {
    const r = await work();
    await record(v, action, targetOf(input), 'ok', r.detail);
    return { status: 'ok', message: r.message, data: r.data };
  } catch (err) {
    await record(v, action, targetOf(input), auditOutcome(err), err instanceof Error ? err.message : String(err));
    return toActionState(err, undefined, { action });
  }
}

const ids = (ls: { shortId: string; hostname: string; pid: number }[]) =>
  ls.map((l) => `${l.shortId} (PID ${l.pid} on ${l.hostname})`);

export async function removeStaleLocksAction(
  _prev: ActionState<Unlocked>,
  formData: FormData,
): Promise<ActionState<Unlocked>> {
  const auth = await authorize('admin', 'maintenance.unlock');
  if (auth.refusal) return auth.refusal;
  const parsed = RepositoryTargetSchema.safeParse(formOf(formData));
  if (!parsed.success) return invalidState(parsed.error);
  const d = parsed.data;
  return run(auth.viewer, 'maintenance.unlock', d, async () => {
    const r = await removeStaleLocks(d.datastoreId, d.repository);
    const removed = ids(r.removed);
    const remaining = ids(r.remaining);
    return {
      data: { removed, remaining },
      message:
        `${removed.length === 0 ? 'No lock was removed' : `Removed ${removed.length} stale lock${removed.length === 1 ? '' : 's'}: ${removed.join(', ')}`}.` +
        (remaining.length > 0
          ? ` ${remaining.length} remain${remaining.length === 1 ? 's' : ''}: restic cannot prove ${remaining.length === 1 ? 'it' : 'them'} stale.`
          : ''),
      detail: `restic unlock; removed: ${removed.join(', ') || 'none'}; remaining: ${remaining.join(', ') || 'none'}`,
    };
  });
}

export async function removeAllLocksAction(
  _prev: ActionState<Unlocked>,
  formData: FormData,
): Promise<ActionState<Unlocked>> {
  const auth = await authorize('admin', 'maintenance.unlock-remove-all');
  if (auth.refusal) return auth.refusal;
  const parsed = RemoveAllLocksSchema.safeParse(formOf(formData));
  if (!parsed.success) return invalidState(parsed.error);
  const d = parsed.data;
  return run(auth.viewer, 'maintenance.unlock-remove-all', d, async () => {
    const r = await removeAllLocks(d.datastoreId, d.repository, { override: d.override });
    const removed = ids(r.removed);
    const remaining = ids(r.remaining);
    return {
      data: { removed, remaining },
      message: `Removed ${removed.length} lock${removed.length === 1 ? '' : 's'}${removed.length ? `: ${removed.join(', ')}` : ''}.${remaining.length ? ` ${remaining.length} remain.` : ''}`,
      detail: `restic unlock --remove-all; removed: ${removed.join(', ') || 'none'}${r.overridden.length ? `; second confirmation over: ${r.overridden.join(' ')}` : ''}`,
    };
  });
}

export async function previewPruneAction(
  _prev: ActionState<PrunePreview>,
  formData: FormData,
): Promise<ActionState<PrunePreview>> {
  const auth = await authorize('admin', 'maintenance.prune-preview');
  if (auth.refusal) return auth.refusal;
  const parsed = RepositoryTargetSchema.safeParse(formOf(formData));
  if (!parsed.success) return invalidState(parsed.error);
  const d = parsed.data;
  try {
    const data = await previewPrune(d.datastoreId, d.repository);
    return { status: 'ok', data };
  } catch (err) {
    return toActionState(err, undefined, { action: 'maintenance.prune-preview' });
  }
}

export async function pruneAction(_prev: ActionState<Submitted>, formData: FormData): Promise<ActionState<Submitted>> {
  const auth = await authorize('admin', 'maintenance.prune');
  if (auth.refusal) return auth.refusal;
  const parsed = RepositoryTargetSchema.safeParse(formOf(formData));
  if (!parsed.success) return invalidState(parsed.error);
  const d = parsed.data;
  return run(auth.viewer, 'maintenance.prune', d, async () => {
    const jobId = await submitPrune(auth.viewer.username, d.datastoreId, d.repository);
    return { data: { jobId }, message: `Prune started (job ${jobId}).`, detail: `job ${jobId}` };
  });
}

export async function checkAction(_prev: ActionState<Submitted>, formData: FormData): Promise<ActionState<Submitted>> {
  const auth = await authorize('admin', 'maintenance.check');
  if (auth.refusal) return auth.refusal;
  const parsed = CheckSchema.safeParse(formOf(formData));
  if (!parsed.success) return invalidState(parsed.error);
  const d = parsed.data;
  const percent = d.mode === 'read-data' ? (d.percent ?? 100) : undefined;
  return run(auth.viewer, 'maintenance.check', d, async () => {
    const jobId = await submitCheck(auth.viewer.username, d.datastoreId, d.repository, percent);
    return {
      data: { jobId },
      message: `Check started (job ${jobId}).`,
      detail: `job ${jobId}; ${percent === undefined ? 'structure only' : `read-data ${percent} %`}`,
    };
  });
}

export async function orphanForgetAction(
  _prev: ActionState<Submitted>,
  formData: FormData,
): Promise<ActionState<Submitted>> {
  const auth = await authorize('admin', 'maintenance.orphan-forget');
  if (auth.refusal) return auth.refusal;
  const parsed = OrphanForgetSchema.safeParse(formOf(formData));
  if (!parsed.success) return invalidState(parsed.error);
  const d = parsed.data;
  return run(auth.viewer, 'maintenance.orphan-forget', d, async () => {
    const jobId = await submitOrphanForget(auth.viewer, d.datastoreId, d.repository, d.snapshots);
    return {
      data: { jobId },
      message: `Forgetting ${d.snapshots.length} orphan snapshot${d.snapshots.length === 1 ? '' : 's'} (job ${jobId}).`,
      detail: `job ${jobId}; snapshots ${d.snapshots.map((s) => s.slice(0, 8)).join(', ')}`,
    };
  });
}

type Deleted = { imageId: number };

export async function deleteDanglingImageAction(
  _prev: ActionState<Deleted>,
  formData: FormData,
): Promise<ActionState<Deleted>> {
  const auth = await authorize('admin', 'maintenance.dangling-image-delete');
  if (auth.refusal) return auth.refusal;
  const parsed = DanglingImageDeleteSchema.safeParse(formOf(formData));
  if (!parsed.success) return invalidState(parsed.error);
  const d = parsed.data;
  return run(auth.viewer, 'maintenance.dangling-image-delete', d, async () => {
    const image = await deleteDanglingImage(auth.viewer, d.datastoreId, d.repository, d.imageId);
    return {
      data: { imageId: d.imageId },
      message: `OpenNebula is deleting backup image ${d.imageId} (“${image.name}”); its snapshot ${image.source} was already gone.`,
      detail: `oneimage delete ${d.imageId} (“${image.name}”, snapshot ${image.source} not in the repository)`,
    };
  });
}
