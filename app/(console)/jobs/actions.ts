'use server';

import { z } from 'zod';
import { audit, authorize, requestAddress } from '@/lib/auth';
import { NotAResticDatastore, RepositoryNotFound } from '@/lib/catalog';
import { ExecError } from '@/lib/exec';
import { cancelJob, RestoreRefused, submitImageRestore, submitServerRestore, visibleJob } from '@/lib/jobs';
import { OneError } from '@/lib/opennebula';
import { ResticError } from '@/lib/restic';
import type { ActionState } from '@/lib/schemas/action-state';
import { ImageRestoreSchema, JobIdSchema, ServerRestoreSchema } from '@/lib/schemas/restore';

// Thin actions: the guard, the shared schema, then lib/jobs. Each returns a typed state.

type Submitted = { jobId: number };

function expected(err: unknown): ActionState<Submitted> | undefined {
  if (
    err instanceof RestoreRefused ||
    err instanceof OneError ||
    err instanceof ExecError ||
    err instanceof ResticError ||
    err instanceof NotAResticDatastore
  )
    return { status: 'failed', message: err.message };
  if (err instanceof RepositoryNotFound)
    return { status: 'failed', message: 'There is no such backup you may restore.' };
  return undefined;
}

export async function restoreToOpenNebulaAction(
  _prev: ActionState<Submitted>,
  formData: FormData,
): Promise<ActionState<Submitted>> {
  const auth = await authorize('user', 'restore.image');
  if (auth.refusal) return auth.refusal;
  if (!(formData instanceof FormData)) return { status: 'invalid', message: 'Send the restore form.', fieldErrors: {} };
  const parsed = ImageRestoreSchema.safeParse(Object.fromEntries(formData));
  if (!parsed.success)
    return {
      status: 'invalid',
      message: 'Check the highlighted fields.',
      fieldErrors: z.flattenError(parsed.error).fieldErrors,
    };
  const v = auth.viewer;
  try {
    const jobId = await submitImageRestore(v, parsed.data);
    audit({
      actor: v.username,
      action: 'restore.image',
      target: `image ${parsed.data.imageId} -> datastore ${parsed.data.datastoreId}`,
      outcome: 'ok',
      detail: `job ${jobId}`,
      address: await requestAddress(),
    });
    return { status: 'ok', data: { jobId } };
  } catch (err) {
    const e = expected(err);
    audit({
      actor: v.username,
      action: 'restore.image',
      target: `image ${parsed.data.imageId}`,
      outcome: 'failed',
      detail: err instanceof Error ? err.message : '',
      address: await requestAddress(),
    });
    if (e) return e;
    throw err;
  }
}

export async function restoreToBackupServerAction(
  _prev: ActionState<Submitted>,
  formData: FormData,
): Promise<ActionState<Submitted>> {
  const auth = await authorize('admin', 'restore.server');
  if (auth.refusal) return auth.refusal;
  if (!(formData instanceof FormData)) return { status: 'invalid', message: 'Send the restore form.', fieldErrors: {} };
  const parsed = ServerRestoreSchema.safeParse(Object.fromEntries(formData));
  if (!parsed.success)
    return {
      status: 'invalid',
      message: 'Check the highlighted fields.',
      fieldErrors: z.flattenError(parsed.error).fieldErrors,
    };
  const v = auth.viewer;
  const target = `repository ${parsed.data.repository} image ${parsed.data.imageId} -> ${parsed.data.folder}`;
  try {
    const jobId = await submitServerRestore(v, parsed.data);
    audit({
      actor: v.username,
      action: 'restore.server',
      target,
      outcome: 'ok',
      detail: `job ${jobId}`,
      address: await requestAddress(),
    });
    return { status: 'ok', data: { jobId } };
  } catch (err) {
    const e = expected(err);
    audit({
      actor: v.username,
      action: 'restore.server',
      target,
      outcome: 'failed',
      detail: err instanceof Error ? err.message : '',
      address: await requestAddress(),
    });
    if (e) return e;
    throw err;
  }
}

export async function cancelJobAction(jobId: unknown): Promise<ActionState> {
  const auth = await authorize('user', 'job.cancel');
  if (auth.refusal) return auth.refusal;
  const id = JobIdSchema.safeParse(jobId);
  if (!id.success || !visibleJob(auth.viewer, id.data)) return { status: 'failed', message: 'There is no such job.' };
  const canceled = cancelJob(id.data);
  audit({
    actor: auth.viewer.username,
    action: 'job.cancel',
    target: `job ${id.data}`,
    outcome: canceled ? 'ok' : 'failed',
    detail: canceled ? '' : 'already finished',
    address: await requestAddress(),
  });
  return canceled
    ? { status: 'ok', message: 'Canceling…' }
    : { status: 'failed', message: 'This job had already finished.' };
}
