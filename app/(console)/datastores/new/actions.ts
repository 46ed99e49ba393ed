'use server';

import { redirect } from 'next/navigation';
import { authorize, requestAddress } from '@/lib/auth';
import { createDatastoreOnce, runPreflight, runS3Preflight, s3Support, trustServerKey } from '@/lib/datastore-wizard';
import type { ActionState } from '@/lib/schemas/action-state';
import {
  PreflightRequestSchema,
  S3PreflightRequestSchema,
  TrustHostKeySchema,
  type PreflightReport,
} from '@/lib/schemas/datastore-preflight';
import {
  DatastoreWizardSchema,
  usesSliceLimits,
  wizardFieldErrors,
  wizardInputFromFormData,
} from '@/lib/schemas/datastore-wizard';

// The wizard's actions. Each is a public endpoint: it authorizes first, then validates whatever it
// was sent with the shared schema. None returns the password or the S3 secret key: results carry
// messages and checks.

export async function createDatastoreAction(_prev: ActionState, formData: FormData): Promise<ActionState> {
  const { viewer, refusal } = await authorize('admin', 'datastore-create');
  if (refusal) return refusal;
  if (!(formData instanceof FormData)) return { status: 'invalid', message: 'Send the wizard form.', fieldErrors: {} };
  const parsed = DatastoreWizardSchema.safeParse(wizardInputFromFormData(formData));
  if (!parsed.success) {
    return {
      status: 'invalid',
      message: 'Check the highlighted fields.',
      fieldErrors: wizardFieldErrors(parsed.error),
    };
  }
  // OpenNebula before 7.4 would accept the template and fail every backup: refused here.
  if (parsed.data.RESTIC_BACKEND === 'S3') {
    const s3 = await s3Support(viewer.credential, 15_000);
    if (!s3.available) return { status: 'invalid', message: s3.reason, fieldErrors: { RESTIC_BACKEND: [s3.reason] } };
  }
  const outcome = await createDatastoreOnce(
    { actor: viewer.username, address: await requestAddress(), credential: viewer.credential },
    parsed.data.requestId,
    parsed.data,
  );
  if (outcome.kind === 'failed') return { status: 'failed', message: outcome.message };
  redirect(`/datastores/${outcome.datastoreId}?created=1`);
}

export async function preflightAction(input: unknown): Promise<ActionState<PreflightReport>> {
  const { viewer, refusal } = await authorize('admin', 'datastore-preflight');
  if (refusal) return refusal;
  const parsed = PreflightRequestSchema.safeParse(input);
  if (!parsed.success) {
    return {
      status: 'invalid',
      message: 'Check the backup server fields.',
      fieldErrors: wizardFieldErrors(parsed.error),
    };
  }
  const v = parsed.data;
  const report = await runPreflight(viewer.credential, {
    server: v.RESTIC_SFTP_SERVER,
    user: v.RESTIC_SFTP_USER,
    cluster: v.cluster === '' ? 0 : Number(v.cluster),
    sliceLimits: usesSliceLimits(v),
  });
  return { status: 'ok', data: report };
}

export async function s3PreflightAction(input: unknown): Promise<ActionState<PreflightReport>> {
  const { refusal } = await authorize('admin', 'datastore-preflight');
  if (refusal) return refusal;
  const parsed = S3PreflightRequestSchema.safeParse(input);
  if (!parsed.success) {
    return { status: 'invalid', message: 'Check the S3 fields.', fieldErrors: wizardFieldErrors(parsed.error) };
  }
  return { status: 'ok', data: await runS3Preflight(parsed.data) };
}

export async function trustHostKeyAction(input: unknown): Promise<ActionState> {
  const { viewer, refusal } = await authorize('admin', 'host-key-trust');
  if (refusal) return refusal;
  const parsed = TrustHostKeySchema.safeParse(input);
  if (!parsed.success)
    return {
      status: 'invalid',
      message: 'Not a server and fingerprint.',
      fieldErrors: wizardFieldErrors(parsed.error),
    };
  const outcome = await trustServerKey(
    { actor: viewer.username, address: await requestAddress() },
    parsed.data.RESTIC_SFTP_SERVER,
    parsed.data.fingerprint,
  );
  return outcome.kind === 'trusted'
    ? { status: 'ok', message: `The host key of ${parsed.data.RESTIC_SFTP_SERVER} is now trusted.` }
    : { status: 'failed', message: outcome.message };
}
