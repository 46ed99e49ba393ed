'use server';

import { z } from 'zod';
import { audit, authorize, requestAddress, type Role, type Viewer } from '@/lib/auth';
import { isExpectedError, toActionState } from '@/lib/errors';
import { cancelJob, submitImageRestore, submitServerRestore, visibleJob } from '@/lib/jobs';
import type { ActionState } from '@/lib/schemas/action-state';
import { ImageRestoreSchema, JobIdSchema, ServerRestoreSchema } from '@/lib/schemas/restore';

// Thin actions: the guard, the shared schema, then lib/jobs. Each returns a typed state.

type Submitted = { jobId: number };

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
    // An unexpected failure goes to the error boundary (and the log), as any page's would.
    if (!isExpectedError(err)) throw err;
    return toActionState(err);
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
