'use client';

import { useEffect } from 'react';

/** Unexpected failures: a clear page with a retry, never a raw stack. */
export default function ConsoleError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  return (
    <div
      className="mx-auto mt-16 max-w-lg rounded-lg border border-red-200 bg-red-50 p-6 dark:border-red-900 dark:bg-red-950/40"
      data-testid="page-error"
    >
      <h1 className="text-lg font-semibold text-red-800 dark:text-red-300">This page could not be loaded</h1>
      <p className="mt-2 text-sm text-red-800 dark:text-red-300">
        Backstone hit an unexpected problem. Nothing was changed. Try again; if it persists, the server log has the
        details{error.digest ? ` (reference ${error.digest})` : ''}.
      </p>
      <button
        type="button"
        onClick={reset}
        className="mt-4 rounded-md bg-red-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-red-700"
      >
        Try again
      </button>
    </div>
  );
}
