'use client';

import { useActionState } from 'react';
import { ActionOutcome } from '@/app/_components/action-outcome';
import { plainButton } from '@/app/_components/form-classes';
import { IDLE, type ActionState } from '@/lib/schemas/action-state';
import type { AlertChannel } from '@/lib/schemas/alerts';
import { sendTestAlertAction } from '../actions';

/** "Send test": one message on the saved channel, its outcome here and in the history. */
export function SendTest({ channel, disabled }: { channel: AlertChannel; disabled: boolean }) {
  const [state, formAction, sending] = useActionState<ActionState, FormData>(sendTestAlertAction, IDLE);
  return (
    <form action={formAction} className="space-y-2" data-testid={`send-test-${channel}`}>
      <input type="hidden" name="channel" value={channel} />
      <button type="submit" disabled={disabled || sending} className={plainButton}>
        {sending ? 'Sending…' : 'Send test'}
      </button>
      {disabled && <p className="text-xs text-slate-500 dark:text-slate-400">Turn the channel on and save it first.</p>}
      <ActionOutcome state={state} testId={`send-test-${channel}-result`} />
    </form>
  );
}
