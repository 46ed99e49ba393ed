'use server';

import { revalidatePath } from 'next/cache';
import { audit, authorize, requestAddress, type Viewer } from '@/lib/auth';
import { auditOutcome, toActionState } from '@/lib/errors';
import {
  confirmPruneAll,
  refusePruneWhileBackingUp,
  scheduledDatastore,
  setSchedule,
  submitPruneAll,
  submitVerify,
} from '@/lib/schedules';
import { type ActionState, formFields, invalidState } from '@/lib/schemas/action-state';
import {
  intervalWords,
  PruneAllSchema,
  SCHEDULE_LABELS,
  ScheduleUpdateSchema,
  VerifyAllSchema,
} from '@/lib/schemas/schedules';

// A datastore's schedules, admins only: the guard first, the shared schema, then lib/schedules.
// Every change and every "… all" is audited with its outcome; expected failures come back as
// typed states.

type Submitted = { jobId: number };

async function record(v: Viewer, action: string, target: string, outcome: 'ok' | 'failed' | 'refused', detail: string) {
  audit({ actor: v.username, action, target, outcome, detail, address: await requestAddress() });
}

async function audited<T>(
  v: Viewer,
  action: string,
  datastoreId: number,
  work: () => Promise<{ data?: T; message: string; detail: string }>,
): Promise<ActionState<T>> {
  const target = `datastore ${datastoreId}`;
  try {
    const r = await work();
    await record(v, action, target, 'ok', r.detail);
    revalidatePath(`/datastores/${datastoreId}`);
    return { status: 'ok', message: r.message, ...(r.data === undefined ? {} : { data: r.data }) };
  } catch (err) {
    await record(v, action, target, auditOutcome(err), err instanceof Error ? err.message : String(err));
    return toActionState(err, undefined, { action });
  }
}

export async function setScheduleAction(_prev: ActionState, formData: FormData): Promise<ActionState> {
  const action = 'schedule.update';
  const auth = await authorize('admin', action);
  if (auth.refusal) return auth.refusal;
  const parsed = ScheduleUpdateSchema.safeParse(formFields(formData));
  if (!parsed.success) return invalidState(parsed.error);
  const d = parsed.data;
  return audited(auth.viewer, action, d.datastoreId, async () => {
    const ds = await scheduledDatastore(auth.viewer.credential, d.datastoreId);
    setSchedule(d.datastoreId, d, auth.viewer.username);
    const what = [
      d.enabled ? 'on' : 'off',
      intervalWords(d.intervalSeconds),
      d.subsets === undefined ? '' : `N = ${d.subsets}`,
      d.staleAfterSeconds === undefined ? '' : `stale after ${d.staleAfterSeconds / 60} min`,
      d.autoUnlock === undefined ? '' : `auto-removal ${d.autoUnlock ? 'on' : 'off'}`,
    ]
      .filter(Boolean)
      .join(', ');
    return {
      message: `${SCHEDULE_LABELS[d.kind]} of ${ds.name}: ${what}.`,
      detail: `${d.kind}: ${what}`,
    };
  });
}

export async function verifyAllAction(
  _prev: ActionState<Submitted>,
  formData: FormData,
): Promise<ActionState<Submitted>> {
  const action = 'schedule.verify-all';
  const auth = await authorize('admin', action);
  if (auth.refusal) return auth.refusal;
  const parsed = VerifyAllSchema.safeParse(formFields(formData));
  if (!parsed.success) return invalidState(parsed.error);
  const { datastoreId } = parsed.data;
  return audited(auth.viewer, action, datastoreId, async () => {
    await scheduledDatastore(auth.viewer.credential, datastoreId);
    const { jobId } = await submitVerify(datastoreId, 'manual', auth.viewer.username);
    return { data: { jobId }, message: `Verify started (job ${jobId}).`, detail: `job ${jobId}` };
  });
}

export async function pruneAllAction(
  _prev: ActionState<Submitted>,
  formData: FormData,
): Promise<ActionState<Submitted>> {
  const action = 'schedule.prune-all';
  const auth = await authorize('admin', action);
  if (auth.refusal) return auth.refusal;
  const parsed = PruneAllSchema.safeParse(formFields(formData));
  if (!parsed.success) return invalidState(parsed.error);
  const { datastoreId, confirm } = parsed.data;
  return audited(auth.viewer, action, datastoreId, async () => {
    const ds = await scheduledDatastore(auth.viewer.credential, datastoreId);
    confirmPruneAll(ds, confirm);
    await refusePruneWhileBackingUp(datastoreId);
    const { jobId } = await submitPruneAll(datastoreId, 'manual', auth.viewer.username);
    return { data: { jobId }, message: `Prune started (job ${jobId}).`, detail: `job ${jobId}` };
  });
}
