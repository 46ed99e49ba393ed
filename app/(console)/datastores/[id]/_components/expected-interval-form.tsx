'use client';

import { useActionState } from 'react';
import { IDLE, type ActionState } from '@/lib/schemas/action-state';
import { EXPECTED_INTERVAL_MAX_HOURS } from '@/lib/schemas/vms';
import { setExpectedIntervalAction } from '../actions';

// Admins set how often the datastore's VMs should be backed up when no schedule says so.
export function ExpectedIntervalForm({ datastoreId, hours }: { datastoreId: number; hours: number }) {
  const [state, formAction, saving] = useActionState<ActionState, FormData>(setExpectedIntervalAction, IDLE);
  return (
    <form action={formAction} className="flex flex-wrap items-center gap-2" data-testid="expected-interval-form">
      <input type="hidden" name="datastoreId" value={datastoreId} />
      <label className="text-sm" htmlFor="expected-interval-hours">
        Expect a backup every
      </label>
      <input
        id="expected-interval-hours"
        name="hours"
        type="number"
        min={1}
        max={EXPECTED_INTERVAL_MAX_HOURS}
        step={1}
        required
        defaultValue={hours}
        className="h-8 w-24 rounded-md border border-slate-300 bg-white px-2 text-sm tabular-nums dark:border-slate-700 dark:bg-slate-950"
      />
      <span className="text-sm">hours</span>
      <button
        type="submit"
        disabled={saving}
        className="h-8 rounded-md bg-sky-600 px-3 text-sm font-medium text-white hover:bg-sky-700 disabled:opacity-50"
      >
        {saving ? 'Saving…' : 'Save'}
      </button>
      {state.status !== 'idle' && (
        <p
          role={state.status === 'ok' ? 'status' : 'alert'}
          data-testid="expected-interval-result"
          className={`w-full text-sm ${state.status === 'ok' ? 'text-emerald-700 dark:text-emerald-400' : 'text-red-700 dark:text-red-400'}`}
        >
          {state.message}
        </p>
      )}
    </form>
  );
}
