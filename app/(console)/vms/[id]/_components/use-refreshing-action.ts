'use client';

import { useRouter } from 'next/navigation';
import { startTransition, useActionState } from 'react';
import { IDLE, type ActionState } from '@/lib/schemas/action-state';
import { FOLLOW_EVENT } from './follow-while';

/**
 * useActionState for the VM page's actions: once OpenNebula accepted a change, the page is read
 * again (the VM's new state, its new configuration), and follows the VM from there.
 */
export function useRefreshingAction(
  action: (prev: ActionState, fd: FormData) => Promise<ActionState>,
): [ActionState, (fd: FormData) => void, boolean] {
  const router = useRouter();
  return useActionState(async (prev: ActionState, fd: FormData) => {
    const r = await action(prev, fd);
    if (r.status === 'ok') {
      window.dispatchEvent(new Event(FOLLOW_EVENT));
      startTransition(() => router.refresh());
    }
    return r;
  }, IDLE as ActionState);
}
