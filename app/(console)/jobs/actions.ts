'use server';

import { z } from 'zod';
import { audit, authorize, requestAddress, type Role, type Viewer } from '@/lib/auth';
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

/**
 * The two restores share their plumbing: the guard, the form's schema, the submission and one
 * audit line (same target whether it worked or not).
 */
async function submitRestore<S extends z.ZodType>(
  role: Role,
  action: 'restore.image' | 'restore.server',
  schema: S,
  formData: unknown,
  describe: (form: z.output<S>) => string,
  submit: (viewer: Viewer, form: z.output<S>) => Promise<number>,
): Promise<ActionState<Submitted>> {
  const auth = await authorize(role, action);
  if (auth.refusal) return auth.refusal;
  if (!(formData instanceof FormData)) return { status: 'invalid', message: 'Send the restore form.', fieldErrors: {} };
  const parsed = schema.safeParse(Object.fromEntries(formData));
  if (!parsed.success)
    return {
      status: 'invalid',
      message: 'Check the highlighted fields.',
      fieldErrors: z.flattenError(parsed.error).fieldErrors,
    };
  const v = auth.viewer;
  const target = describe(parsed.data);
  try {
    const jobId = await submit(v, parsed.data);
    audit({
      actor: v.username,
      action,
      target,
      outcome: 'ok',
      detail: `job ${jobId}`,
      address: await requestAddress(),
    });
    return { status: 'ok', data: { jobId } };
  } catch (err) {
    audit({
      actor: v.username,
      action,
      target,
      outcome: 'failed',
      detail: err instanceof Error ? err.message : '',
      address: await requestAddress(),
    });
    const e = expected(err);
    if (e) return e;
    throw err;
  }
}

export async function restoreToOpenNebulaAction(
  _prev: ActionState<Submitted>,
  formData: FormData,
): Promise<ActionState<Submitted>> {
  return submitRestore(
    'user',
    'restore.image',
    ImageRestoreSchema,
    formData,
    (f) => `image ${f.imageId} -> datastore ${f.datastoreId}`,
    submitImageRestore,
  );
}

export async function restoreToBackupServerAction(
  _prev: ActionState<Submitted>,
  formData: FormData,
): Promise<ActionState<Submitted>> {
  return submitRestore(
    'admin',
    'restore.server',
    ServerRestoreSchema,
    formData,
    (f) => `repository ${f.repository} image ${f.imageId} -> ${f.folder}`,
    submitServerRestore,
  );
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
    ? { status: 'ok', message: 'Cancel requested: the job removes what it created, then ends.' }
    : { status: 'failed', message: 'This job had already finished.' };
}
