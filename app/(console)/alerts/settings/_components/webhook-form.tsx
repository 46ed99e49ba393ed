'use client';

import { useActionState } from 'react';
import { ActionOutcome } from '@/app/_components/action-outcome';
import { inputClass, primaryButton } from '@/app/_components/form-classes';
import { IDLE, type ActionState } from '@/lib/schemas/action-state';
import { MIN_WEBHOOK_SECRET, type WebhookChannelView } from '@/lib/schemas/alerts';
import { saveWebhookChannelAction } from '../actions';
import { Field, SecretState, Toggle } from './fields';

export function WebhookForm({ channel }: { channel: WebhookChannelView | undefined }) {
  const [state, formAction, saving] = useActionState<ActionState, FormData>(saveWebhookChannelAction, IDLE);
  return (
    <form action={formAction} className="space-y-4 p-4" data-testid="alert-webhook-form" autoComplete="off">
      <Toggle
        id="webhook-enabled"
        name="enabled"
        label="Send alerts to a webhook"
        defaultChecked={channel?.enabled ?? false}
      />
      <div className="grid gap-4 sm:grid-cols-2">
        <Field id="webhook-url" label="URL" hint="Each alert is a JSON POST to it.">
          <input
            id="webhook-url"
            name="url"
            type="url"
            required
            defaultValue={channel?.url ?? ''}
            placeholder="https://hooks.example.com/backstone"
            className={inputClass}
          />
        </Field>
        <Field
          id="webhook-secret"
          label="Signing secret"
          hint={
            <>
              X-Backstone-Signature: sha256=HMAC of the body. Stored encrypted
              <SecretState set={channel?.secretSet ?? false} testId="webhook-secret-state" />.{' '}
              {channel?.secretSet ? 'Leave empty to keep it.' : `At least ${MIN_WEBHOOK_SECRET} characters.`}
            </>
          }
        >
          <input
            id="webhook-secret"
            name="secret"
            type="password"
            autoComplete="new-password"
            placeholder={channel?.secretSet ? 'Replace the secret' : ''}
            className={inputClass}
          />
        </Field>
      </div>
      <div className="flex items-center gap-3">
        <button type="submit" disabled={saving} className={primaryButton}>
          {saving ? 'Saving…' : 'Save webhook'}
        </button>
        <ActionOutcome state={state} testId="alert-webhook-result" />
      </div>
    </form>
  );
}
