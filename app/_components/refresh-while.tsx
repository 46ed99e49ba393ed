'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useState } from 'react';

/**
 * Asks the server for the page again while `active` (something on it is stale or still being
 * read): every 2 s at first, every 15 s after a minute, so a server that stays down is not hammered.
 */
export function RefreshWhile({ active }: { active: boolean }) {
  const router = useRouter();
  const [tries, setTries] = useState(0);
  useEffect(() => {
    if (!active) return;
    const timer = setTimeout(
      () => {
        setTries((n) => n + 1);
        router.refresh();
      },
      tries < 30 ? 2_000 : 15_000,
    );
    return () => clearTimeout(timer);
  }, [active, tries, router]);
  return null;
}
