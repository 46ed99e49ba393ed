'use server';

import { type z } from 'zod';
import { audit, authorize, requestAddress } from '@/lib/auth';
import { operateBackupJob, type BackupJobVerb } from '@/lib/backup-jobs';
import { auditOutcome, toActionState } from '@/lib/errors';
import { type ActionState, formFields, invalidState } from '@/lib/schemas/action-state';
import { BackupJobActionSchema, BackupJobCancelSchema } from '@/lib/schemas/backup-jobs';

// Run now, Retry failed and Cancel of a Backup Job: the guard first (any signed-in person:
// OpenNebula's ACLs on the job decide the rest), the shared schema, then lib/backup-jobs with the
// person's own identity. Every attempt that reaches OpenNebula is audited with its outcome.

const ACTION: Record<BackupJobVerb, string> = {
  run: 'backupjob.run',
  retry: 'backupjob.retry',
  cancel: 'backupjob.cancel',
};

const DONE: Record<BackupJobVerb, (name: string) => string> = {
  run: (n) => `Backup Job “${n}” started: OpenNebula backs its VMs up one after another.`,
  retry: (n) => `Retrying the VMs of Backup Job “${n}” that could not be backed up.`,
  cancel: (n) => `Backup Job “${n}” canceled: the VMs backing up stop, the others wait for the next run.`,
};

async function operate(verb: BackupJobVerb, formData: unknown): Promise<ActionState> {
  const action = ACTION[verb];
  const auth = await authorize('user', action);
  if (auth.refusal) return auth.refusal;
  const parsed: z.ZodSafeParseResult<{ jobId: number; confirm?: string }> = (
    verb === 'cancel' ? BackupJobCancelSchema : BackupJobActionSchema
  ).safeParse(formFields(formData));
  if (!parsed.success) return invalidState(parsed.error);
  const { jobId, confirm } = parsed.data;
  const v = auth.viewer;
  const target = `backup job ${jobId}`;
  try {
    const job = await operateBackupJob(v, verb, jobId, confirm);
    audit({
      actor: v.username,
      action,
      target: `${target} (“${job.name}”)`,
      outcome: 'ok',
      detail: `onebackupjob ${verb === 'run' ? 'backup' : verb} ${jobId}; VMs ${job.vmIds.join(',') || 'none'}`,
      address: await requestAddress(),
    });
    return { status: 'ok', message: DONE[verb](job.name) };
  } catch (err) {
    audit({
      actor: v.username,
      action,
      target,
      outcome: auditOutcome(err),
      detail: err instanceof Error ? err.message : String(err),
      address: await requestAddress(),
    });
    return toActionState(err, undefined, { action });
  }
}

export async function runBackupJobAction(_prev: ActionState, formData: FormData): Promise<ActionState> {
  return operate('run', formData);
}

export async function retryBackupJobAction(_prev: ActionState, formData: FormData): Promise<ActionState> {
  return operate('retry', formData);
}

export async function cancelBackupJobAction(_prev: ActionState, formData: FormData): Promise<ActionState> {
  return operate('cancel', formData);
}
