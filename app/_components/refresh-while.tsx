'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';
import { afterRefresh, armSettle, refreshDelay, type RefreshState } from './refresh-delay';

/**
 * Asks the server for the page again while `active` (something on it is stale or still being
 * read): every 2 s at first, every 15 s after a minute, so a server that stays down is not hammered.
 * With `settle`, a few more times after activity ends (see SETTLE_REFRESHES): for pages that pair
 * reads which can be a moment apart, so they do not stop on a mix of before and after.
 */
export function RefreshWhile({ active, settle = false }: { active: boolean; settle?: boolean }) {
  const router = useRouter();
  const [state, setState] = useState<RefreshState>(() => armSettle(active, { tries: 0, settleLeft: 0 }, settle));
  // Adjusted while rendering (React's pattern for state that follows a prop): activity seen now
  // arms the settling even if it ends before the first refresh fires.
  const armed = armSettle(active, state, settle);
  if (armed !== state) setState(armed);
  const delay = refreshDelay(active, armed);
  useEffect(() => {
    if (delay === undefined) return;
    const timer = setTimeout(() => {
      setState((s) => afterRefresh(active, s, settle));
      router.refresh();
    }, delay);
    return () => clearTimeout(timer);
  }, [active, delay, settle, state, router]);
  return null;
}
