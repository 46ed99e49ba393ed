'use server';

import { revalidatePath } from 'next/cache';
import {
  emailChannelView,
  hasWebhookSecret,
  webhookChannelView,
  saveEmailChannel,
  saveRules,
  saveWebhookChannel,
  sendTest,
} from '@/lib/alerts';
import { audit, authorize, requestAddress, type Viewer } from '@/lib/auth';
import { toActionState } from '@/lib/errors';
import { formFields, invalidState, type ActionState } from '@/lib/schemas/action-state';
import { AlertRulesSchema, EmailChannelSchema, SendTestSchema, WebhookChannelSchema } from '@/lib/schemas/alerts';

// The alerts settings, admins only: the guard first, one shared schema per form, audited. Secrets
// are never echoed back, logged or put in the audit detail: only whether they were replaced.

type Audited = { action: string; target: string; viewer: Viewer; address: string };

async function guard(action: string): Promise<{ refusal: ActionState } | { viewer: Viewer; address: string }> {
  const auth = await authorize('admin', action);
  if (auth.refusal) return { refusal: { status: auth.refusal.status, message: auth.refusal.message } };
  return { viewer: auth.viewer, address: await requestAddress() };
}

function done(a: Audited, detail: string, message: string): ActionState {
  audit({ actor: a.viewer.username, action: a.action, target: a.target, outcome: 'ok', detail, address: a.address });
  revalidatePath('/alerts');
  revalidatePath('/alerts/settings');
  return { status: 'ok', message };
}

function failed(a: Audited, err: unknown): ActionState {
  audit({
    actor: a.viewer.username,
    action: a.action,
    target: a.target,
    outcome: 'failed',
    detail: err instanceof Error ? err.message : String(err),
    address: a.address,
  });
  return toActionState(err, undefined, { action: a.action });
}

export async function saveAlertRulesAction(_prev: ActionState, formData: FormData): Promise<ActionState> {
  const action = 'alerts.rules';
  const g = await guard(action);
  if ('refusal' in g) return g.refusal;
  const parsed = AlertRulesSchema.safeParse(formFields(formData) ?? {});
  if (!parsed.success) return invalidState(parsed.error);
  const a = { action, target: 'alert rules', ...g };
  try {
    const r = parsed.data;
    saveRules(r, g.viewer.username);
    return done(
      a,
      `full at ${r.fullPercent}% or within ${r.fullWithinDays} days; digest ${r.digest ? `on at ${r.digestHourUtc}:00 UTC` : 'off'}`,
      'Alert rules saved.',
    );
  } catch (err) {
    return failed(a, err);
  }
}

export async function saveEmailChannelAction(_prev: ActionState, formData: FormData): Promise<ActionState> {
  const action = 'alerts.email';
  const g = await guard(action);
  if ('refusal' in g) return g.refusal;
  const parsed = EmailChannelSchema.safeParse(formFields(formData) ?? {});
  if (!parsed.success) return invalidState(parsed.error);
  const a = { action, target: 'email channel', ...g };
  const { password, clearPassword, user, ...c } = parsed.data;
  try {
    // A new password replaces the stored one; "remove" clears it; an empty field keeps it.
    const next = password ?? (clearPassword ? null : undefined);
    saveEmailChannel({ ...c, user: user ?? '', password: next }, g.viewer.username);
    const pw = password ? 'password replaced' : clearPassword ? 'password removed' : 'password kept';
    return done(
      a,
      `${c.enabled ? 'on' : 'off'}; ${c.host}:${c.port} ${c.security}; ${c.to.length} recipient(s); ${pw}`,
      `Email channel saved${c.enabled ? '' : ' (turned off)'}.`,
    );
  } catch (err) {
    return failed(a, err);
  }
}

export async function saveWebhookChannelAction(_prev: ActionState, formData: FormData): Promise<ActionState> {
  const action = 'alerts.webhook';
  const g = await guard(action);
  if ('refusal' in g) return g.refusal;
  const parsed = WebhookChannelSchema.safeParse(formFields(formData) ?? {});
  if (!parsed.success) return invalidState(parsed.error);
  const a = { action, target: 'webhook channel', ...g };
  const c = parsed.data;
  try {
    if (c.secret === undefined && !hasWebhookSecret())
      return {
        status: 'invalid',
        message: 'Give a secret: every request is signed with it (X-Backstone-Signature).',
        fieldErrors: { secret: ['Give a secret of at least 16 characters.'] },
      };
    saveWebhookChannel({ enabled: c.enabled, url: c.url, secret: c.secret }, g.viewer.username);
    return done(
      a,
      `${c.enabled ? 'on' : 'off'}; ${new URL(c.url).origin}; secret ${c.secret ? 'replaced' : 'kept'}`,
      `Webhook channel saved${c.enabled ? '' : ' (turned off)'}.`,
    );
  } catch (err) {
    return failed(a, err);
  }
}

export async function sendTestAlertAction(_prev: ActionState, formData: FormData): Promise<ActionState> {
  const action = 'alerts.test';
  const g = await guard(action);
  if ('refusal' in g) return g.refusal;
  const parsed = SendTestSchema.safeParse(formFields(formData) ?? {});
  if (!parsed.success) return invalidState(parsed.error);
  const { channel } = parsed.data;
  const a = { action, target: `${channel} channel`, ...g };
  try {
    // Only a channel set up and turned on sends anything: no message goes where alerts do not.
    const view = channel === 'email' ? emailChannelView() : webhookChannelView();
    const name = channel === 'email' ? 'email channel' : 'webhook channel';
    if (!view) return { status: 'failed', message: `Set up the ${name} and save it first.` };
    if (!view.enabled) return { status: 'failed', message: `Turn the ${name} on and save it, then send a test.` };
    const out = await sendTest(channel, g.viewer.username);
    const where = channel === 'email' ? 'The test email' : 'The test request';
    if (out.ok) return done(a, 'delivered', `${where} was delivered.`);
    audit({
      actor: g.viewer.username,
      action,
      target: a.target,
      outcome: 'failed',
      detail: out.error,
      address: g.address,
    });
    revalidatePath('/alerts');
    return { status: 'failed', message: `${where} was not delivered: ${out.error}` };
  } catch (err) {
    return failed(a, err);
  }
}
