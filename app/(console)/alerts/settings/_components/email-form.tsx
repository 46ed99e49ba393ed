'use client';

import { useActionState } from 'react';
import { ActionOutcome } from '@/app/_components/action-outcome';
import { inputClass, primaryButton } from '@/app/_components/form-classes';
import { IDLE, type ActionState } from '@/lib/schemas/action-state';
import type { EmailChannelView } from '@/lib/schemas/alerts';
import { saveEmailChannelAction } from '../actions';
import { Field, SecretState, Toggle } from './fields';

export function EmailForm({ channel }: { channel: EmailChannelView | undefined }) {
  const [state, formAction, saving] = useActionState<ActionState, FormData>(saveEmailChannelAction, IDLE);
  return (
    <form action={formAction} className="space-y-4 p-4" data-testid="alert-email-form" autoComplete="off">
      <Toggle
        id="email-enabled"
        name="enabled"
        label="Send alerts by email"
        defaultChecked={channel?.enabled ?? false}
      />
      <div className="grid gap-4 sm:grid-cols-3">
        <Field id="email-host" label="SMTP server">
          <input
            id="email-host"
            name="host"
            required
            defaultValue={channel?.host ?? ''}
            placeholder="smtp.example.com"
            className={inputClass}
          />
        </Field>
        <Field id="email-port" label="Port">
          <input
            id="email-port"
            name="port"
            type="number"
            min={1}
            max={65535}
            required
            defaultValue={channel?.port ?? 587}
            className={inputClass}
          />
        </Field>
        <Field id="email-security" label="Encryption">
          <select
            id="email-security"
            name="security"
            defaultValue={channel?.security ?? 'starttls'}
            className={inputClass}
          >
            <option value="starttls">STARTTLS (usually port 587)</option>
            <option value="tls">TLS (usually port 465)</option>
            <option value="none">None (a relay on this machine)</option>
          </select>
        </Field>
        <Field id="email-user" label="User (optional)">
          <input id="email-user" name="user" defaultValue={channel?.user ?? ''} className={inputClass} />
        </Field>
        <Field
          id="email-password"
          label="Password"
          hint={
            <>
              Stored encrypted
              <SecretState set={channel?.passwordSet ?? false} testId="email-password-state" />. Leave empty to keep it.
            </>
          }
        >
          <input
            id="email-password"
            name="password"
            type="password"
            autoComplete="new-password"
            placeholder={channel?.passwordSet ? 'Replace the password' : ''}
            className={inputClass}
          />
        </Field>
        {channel?.passwordSet && (
          <div className="self-center">
            <Toggle id="email-clear-password" name="clearPassword" label="Remove the password" defaultChecked={false} />
          </div>
        )}
        <Field id="email-from" label="From">
          <input
            id="email-from"
            name="from"
            type="email"
            required
            defaultValue={channel?.from ?? ''}
            placeholder="backstone@example.com"
            className={inputClass}
          />
        </Field>
        <div className="sm:col-span-2">
          <Field id="email-to" label="To" hint="Addresses separated by commas.">
            <input
              id="email-to"
              name="to"
              required
              defaultValue={channel?.to.join(', ') ?? ''}
              placeholder="oncall@example.com"
              className={inputClass}
            />
          </Field>
        </div>
      </div>
      <div className="flex items-center gap-3">
        <button type="submit" disabled={saving} className={primaryButton}>
          {saving ? 'Saving…' : 'Save email'}
        </button>
        <ActionOutcome state={state} testId="alert-email-result" />
      </div>
    </form>
  );
}
