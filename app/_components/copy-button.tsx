'use client';

import { useState } from 'react';

/** Copies `value` to the clipboard and says whether the browser allowed it. */
export function CopyButton({ value, label, testId }: { value: string; label: string; testId?: string }) {
  const [said, setSaid] = useState<string>();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setSaid('Copied.');
    } catch {
      setSaid('The browser did not allow copying; select the text instead.');
    }
  };
  return (
    <span className="inline-flex items-center gap-2">
      <button
        type="button"
        data-testid={testId}
        onClick={() => void copy()}
        className="rounded border border-slate-300 px-2 py-0.5 text-xs hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800"
      >
        Copy {label}
      </button>
      <span role="status" className="text-xs text-slate-500">
        {said}
      </span>
    </span>
  );
}
