'use client';

import { useLinkStatus } from 'next/link';

/**
 * Inside a <Link>: a small spinner while the navigation it started is pending, so a click on a
 * slow dynamic page (a datastore's tab reads the backup server) is answered at once.
 */
export function LinkPending() {
  const { pending } = useLinkStatus();
  if (!pending) return null;
  return (
    <span
      role="status"
      aria-label="Loading"
      data-testid="link-pending"
      className="ml-1.5 inline-block size-3 animate-spin rounded-full border-2 border-current border-t-transparent align-[-1px]"
    />
  );
}
