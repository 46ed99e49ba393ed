'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useRef } from 'react';

/** Sent by the page's actions once OpenNebula accepted one (use-refreshing-action.ts). */
export const FOLLOW_EVENT = 'backstone:follow-vm';
/** How long after an accepted action the page is read again even if it does not look busy yet. */
const AFTER_ACTION_MS = 60_000;

/**
 * Reads the page again while `active` (a backup or restore runs, or the backup server has not
 * answered yet) and for a minute after an accepted action (the first read after it may predate the
 * VM's new state): every 2 s for two minutes, then every 10 s. One interval for as long as it
 * follows, so the page's own re-renders never push the next refresh back.
 */
export function FollowWhile({ active }: { active: boolean }) {
  const router = useRouter();
  const routerRef = useRef(router);
  const activeRef = useRef(active);
  const actedAt = useRef(0);
  useEffect(() => {
    routerRef.current = router;
    activeRef.current = active;
  }, [router, active]);
  useEffect(() => {
    const onAction = () => {
      actedAt.current = Date.now();
    };
    window.addEventListener(FOLLOW_EVENT, onAction);
    const started = Date.now();
    let last = started;
    const timer = setInterval(() => {
      const now = Date.now();
      if (!activeRef.current && now - actedAt.current > AFTER_ACTION_MS) return;
      if (now - started > 120_000 && now - last < 10_000) return;
      last = now;
      routerRef.current.refresh();
    }, 2_000);
    return () => {
      window.removeEventListener(FOLLOW_EVENT, onAction);
      clearInterval(timer);
    };
  }, []);
  return null;
}
