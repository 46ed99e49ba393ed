'use client';

import { useActionState } from 'react';
import { ActionOutcome } from '@/app/_components/action-outcome';
import { inputClass, primaryButton } from '@/app/_components/form-classes';
import { IDLE, type ActionState } from '@/lib/schemas/action-state';
import type { AlertRules } from '@/lib/schemas/alerts';
import { saveAlertRulesAction } from '../actions';
import { Field, Toggle } from './fields';

export function RulesForm({ rules }: { rules: AlertRules }) {
  const [state, formAction, saving] = useActionState<ActionState, FormData>(saveAlertRulesAction, IDLE);
  return (
    <form action={formAction} className="space-y-4 p-4" data-testid="alert-rules-form">
      <div className="grid gap-4 sm:grid-cols-3">
        <Field id="rules-full-percent" label="Datastore fuller than (%)">
          <input
            id="rules-full-percent"
            name="fullPercent"
            type="number"
            min={1}
            max={100}
            required
            defaultValue={rules.fullPercent}
            className={inputClass}
          />
        </Field>
        <Field
          id="rules-full-within"
          label="Or full within (days)"
          hint="At the current rate, from the capacity samples."
        >
          <input
            id="rules-full-within"
            name="fullWithinDays"
            type="number"
            min={1}
            max={365}
            required
            defaultValue={rules.fullWithinDays}
            className={inputClass}
          />
        </Field>
      </div>
      <p className="text-xs text-slate-500 dark:text-slate-400">
        Also alerting, always: a failed job, a check that found errors, a VM whose backup failed or is overdue, a Backup
        Job with failed VMs, and a lock stale for longer than its datastore&apos;s lock-watch threshold (set with the
        datastore&apos;s schedules, on its Maintenance tab).
      </p>
      <div className="flex flex-wrap items-end gap-4">
        <Toggle
          id="rules-digest"
          name="digest"
          label="Daily digest instead of one message per alert"
          defaultChecked={rules.digest}
        />
        <Field id="rules-digest-hour" label="Digest hour (UTC)">
          <input
            id="rules-digest-hour"
            name="digestHourUtc"
            type="number"
            min={0}
            max={23}
            required
            defaultValue={rules.digestHourUtc}
            className={`${inputClass} w-24`}
          />
        </Field>
      </div>
      <div className="flex items-center gap-3">
        <button type="submit" disabled={saving} className={primaryButton}>
          {saving ? 'Saving…' : 'Save rules'}
        </button>
        <ActionOutcome state={state} testId="alert-rules-result" />
      </div>
    </form>
  );
}
