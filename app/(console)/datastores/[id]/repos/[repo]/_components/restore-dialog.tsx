'use client';

import { lazy, Suspense, useState } from 'react';

export type { RestoreDialogProps } from './restore-dialog-props';
import type { RestoreDialogProps } from './restore-dialog-props';

// The forms load on the first click: the repository page does not need them to show its snapshots.
const RestoreForms = lazy(() => import('./restore-forms').then((m) => ({ default: m.RestoreForms })));

/** A backup chain's Restore button; the dialog with its forms opens on click. */
export function RestoreDialog(p: RestoreDialogProps) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <button
        type="button"
        data-testid={`restore-${p.chain.imageId}`}
        disabled={!p.chain.intact}
        title={p.chain.intact ? 'Restore this backup' : 'This chain is broken and cannot be restored'}
        onClick={() => setOpen(true)}
        className="rounded-md bg-brand-500 px-2.5 py-1 text-xs font-semibold text-white hover:bg-brand-600 disabled:opacity-40"
      >
        Restore
      </button>
      {open && (
        <Suspense fallback={null}>
          <RestoreForms {...p} onClose={() => setOpen(false)} />
        </Suspense>
      )}
    </>
  );
}
