'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { audit, authorize, requestAddress } from '@/lib/auth';
import { toActionState } from '@/lib/errors';
import { getDatastore } from '@/lib/opennebula';
import { setExpectedInterval } from '@/lib/protection';
import type { ActionState } from '@/lib/schemas/action-state';
import { ExpectedIntervalSchema } from '@/lib/schemas/expected-interval';

// The datastore page's own settings, admins only: the guard first, the shared schema, audited.

export async function setExpectedIntervalAction(_prev: ActionState, formData: FormData): Promise<ActionState> {
  const action = 'datastore.expected-interval';
  const auth = await authorize('admin', action);
  if (auth.refusal) return { status: auth.refusal.status, message: auth.refusal.message };
  const viewer = auth.viewer;
  const parsed = ExpectedIntervalSchema.safeParse({
    datastoreId: formData.get('datastoreId') ?? '',
    hours: formData.get('hours') ?? '',
  });
  if (!parsed.success) {
    const fieldErrors = z.flattenError(parsed.error).fieldErrors as Record<string, string[] | undefined>;
    return { status: 'invalid', message: parsed.error.issues[0]?.message ?? 'Check the form.', fieldErrors };
  }
  const { datastoreId, hours } = parsed.data;
  const target = `datastore ${datastoreId}`;
  const address = await requestAddress();
  try {
    // Only a datastore OpenNebula shows this admin, and only a backup datastore, has backups to expect.
    const ds = await getDatastore(viewer.credential, datastoreId);
    if (ds.type !== 'BACKUP_DS')
      return { status: 'invalid', message: `Datastore ${datastoreId} is not a backup datastore.`, fieldErrors: {} };
    setExpectedInterval(datastoreId, hours * 3600, viewer.username);
    audit({ actor: viewer.username, action, target, outcome: 'ok', detail: `every ${hours} h`, address });
    revalidatePath(`/datastores/${datastoreId}`);
    return { status: 'ok', message: `VMs backed up to ${ds.name} are now expected every ${hours} h.` };
  } catch (err) {
    audit({
      actor: viewer.username,
      action,
      target,
      outcome: 'failed',
      detail: err instanceof Error ? err.message : String(err),
      address,
    });
    return toActionState(err, undefined, { action });
  }
}
