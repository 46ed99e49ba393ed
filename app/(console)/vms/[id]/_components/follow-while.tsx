'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useRef } from 'react';

/**
 * Reads the page again while `active` (a backup or restore runs, or the backup server has not
 * answered yet): every 2 s for two minutes, then every 10 s. One interval for as long as it stays
 * active, so the page's own re-renders never push the next refresh back.
 */
export function FollowWhile({ active }: { active: boolean }) {
  const router = useRouter();
  const routerRef = useRef(router);
  useEffect(() => {
    routerRef.current = router;
  }, [router]);
  useEffect(() => {
    if (!active) return;
    const started = Date.now();
    let last = started;
    const timer = setInterval(() => {
      const now = Date.now();
      if (now - started > 120_000 && now - last < 10_000) return;
      last = now;
      routerRef.current.refresh();
    }, 2_000);
    return () => clearInterval(timer);
  }, [active]);
  return null;
}
