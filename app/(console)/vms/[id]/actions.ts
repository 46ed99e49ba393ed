'use server';

import { type z } from 'zod';
import { audit, authorize, requestAddress, type Viewer } from '@/lib/auth';
import { isExpectedError, toActionState } from '@/lib/errors';
import {
  backupVm,
  getImage,
  getVm,
  powerOffVm,
  restoreVmInPlace,
  updateVmBackupConfig,
  type Vm,
} from '@/lib/opennebula';
import { type ActionState, formFields, invalidState } from '@/lib/schemas/action-state';
import {
  VmBackupConfigSchema,
  VmBackupNowSchema,
  VmPowerOffSchema,
  VmRestoreInPlaceSchema,
} from '@/lib/schemas/vm-actions';

// The VM page's writes: the guard, the shared schema, the person's own `onevm show` (a VM they may
// not see is "not found" and nothing runs), then the verb run with their own credential, so
// OpenNebula's ACLs decide the rest and its refusal comes back in its words. Each is audited.

type Action = 'vm.backup' | 'vm.poweroff' | 'vm.restore' | 'vm.backup-config';

/** A refusal by Backstone's own rule (the typed name, an image of another VM): nothing ran. */
type Refused = Extract<ActionState<never>, { status: 'invalid' }>;

const NOT_FOUND: ActionState<never> = { status: 'failed', message: 'There is no such VM.' };

async function record(
  v: Viewer,
  action: Action,
  target: string,
  outcome: 'ok' | 'failed' | 'refused',
  detail: string,
): Promise<void> {
  audit({ actor: v.username, action, target, outcome, detail, address: await requestAddress() });
}

/** The VM as the person sees it, or undefined when OpenNebula says it is not theirs to see. */
async function visibleVm(v: Viewer, vmId: number): Promise<Vm | undefined> {
  try {
    return await getVm(v.credential, vmId);
  } catch (err) {
    if (isExpectedError(err) && err.status === 404) return undefined;
    throw err;
  }
}

/**
 * The common shape: guard, schema, visibility, then `work` (which may refuse by returning a
 * state); one audit line with the outcome, OpenNebula's reason on failure.
 */
async function act<S extends z.ZodType<{ vmId: number }>>(
  action: Action,
  schema: S,
  formData: unknown,
  work: (v: Viewer, vm: Vm, input: z.output<S>) => Promise<{ message: string; detail: string } | Refused>,
): Promise<ActionState> {
  const auth = await authorize('user', action);
  if (auth.refusal) return auth.refusal;
  const v = auth.viewer;
  const parsed = schema.safeParse(formFields(formData));
  if (!parsed.success) return invalidState(parsed.error);
  const input = parsed.data;
  const target = `VM ${input.vmId}`;
  try {
    const vm = await visibleVm(v, input.vmId);
    if (!vm) {
      await record(v, action, target, 'refused', 'not visible to this user');
      return NOT_FOUND;
    }
    const r = await work(v, vm, input);
    if ('status' in r) {
      await record(v, action, target, 'refused', r.message);
      return r;
    }
    await record(v, action, target, 'ok', r.detail);
    return { status: 'ok', message: r.message };
  } catch (err) {
    await record(v, action, target, 'failed', err instanceof Error ? err.message : String(err));
    return toActionState(err, undefined, { action });
  }
}

export async function backupNowAction(_prev: ActionState, formData: FormData): Promise<ActionState> {
  return act('vm.backup', VmBackupNowSchema, formData, async (v, vm, f) => {
    await backupVm(v.credential, vm.id, f.datastoreId, { reset: f.reset });
    return {
      message: `Backup of VM ${vm.id} started${f.reset ? ' (a new chain)' : ''}.`,
      detail: `onevm backup ${vm.id} -d ${f.datastoreId}${f.reset ? ' --reset' : ''}`,
    };
  });
}

export async function powerOffAction(_prev: ActionState, formData: FormData): Promise<ActionState> {
  return act('vm.poweroff', VmPowerOffSchema, formData, async (v, vm) => {
    await powerOffVm(v.credential, vm.id);
    return { message: `VM ${vm.id} is powering off.`, detail: `onevm poweroff ${vm.id}` };
  });
}

export async function restoreInPlaceAction(_prev: ActionState, formData: FormData): Promise<ActionState> {
  return act('vm.restore', VmRestoreInPlaceSchema, formData, async (v, vm, f) => {
    if (f.confirm !== vm.name) {
      return { status: 'invalid', message: `Type the VM's name, ${vm.name}, to confirm.`, fieldErrors: {} };
    }
    // oned restores any backup image it is given; only this VM's own backups are offered and accepted.
    const image = await getImage(v.credential, f.imageId).catch((err: unknown) => {
      if (isExpectedError(err) && err.status === 404) return undefined;
      throw err;
    });
    if (
      !image ||
      image.type !== 'BACKUP' ||
      !(image.vmIds.includes(vm.id) || vm.backups.backupIds.includes(image.id))
    ) {
      return { status: 'invalid', message: `Image ${f.imageId} is not a backup of this VM.`, fieldErrors: {} };
    }
    const incrementId = image.increments.length > 0 ? f.incrementId : undefined;
    await restoreVmInPlace(v.credential, vm.id, image.id, {
      ...(incrementId !== undefined ? { incrementId } : {}),
      ...(f.diskId !== undefined ? { diskId: f.diskId } : {}),
    });
    const what = `image ${image.id}${incrementId !== undefined ? ` increment ${incrementId}` : ''}${
      f.diskId !== undefined ? ` disk ${f.diskId}` : ''
    }`;
    return {
      message: `Restore of VM ${vm.id} from ${what} started.`,
      detail: `onevm restore ${vm.id} ${image.id}${incrementId !== undefined ? ` --increment ${incrementId}` : ''}${
        f.diskId !== undefined ? ` --disk-id ${f.diskId}` : ''
      }`,
    };
  });
}

export async function backupConfigAction(_prev: ActionState, formData: FormData): Promise<ActionState> {
  return act('vm.backup-config', VmBackupConfigSchema, formData, async (v, vm, f) => {
    const config = {
      mode: f.mode,
      ...(f.incrementMode !== undefined ? { incrementMode: f.incrementMode } : {}),
      keepLast: f.keepLast,
      fsFreeze: f.fsFreeze,
      backupVolatile: f.backupVolatile,
    };
    await updateVmBackupConfig(v.credential, vm.id, config);
    return {
      message: 'Backup configuration saved.',
      detail: `BACKUP_CONFIG MODE=${f.mode}${f.incrementMode ? ` INCREMENT_MODE=${f.incrementMode}` : ''} KEEP_LAST=${
        f.keepLast
      } FS_FREEZE=${f.fsFreeze} BACKUP_VOLATILE=${f.backupVolatile ? 'YES' : 'NO'}`,
    };
  });
}
