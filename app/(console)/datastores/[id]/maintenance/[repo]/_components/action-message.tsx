import Link from 'next/link';
import type { ActionState } from '@/lib/schemas/action-state';
import { locksHref } from '@/app/_components/hrefs';

/** An action's outcome in plain words; restic's lock error links to the repository's Locks panel. */
export function ActionMessage<T>({
  state,
  testId,
  datastoreId,
  repository,
}: {
  state: ActionState<T>;
  testId: string;
  datastoreId: number;
  repository: string;
}) {
  if (state.status === 'idle') return null;
  const ok = state.status === 'ok';
  const text = ok ? (state.message ?? '') : state.message;
  if (!text) return null;
  return (
    <p
      role={ok ? 'status' : 'alert'}
      data-testid={testId}
      className={`text-sm ${ok ? 'text-emerald-700 dark:text-emerald-300' : 'text-red-600 dark:text-red-400'}`}
    >
      {text}
      {!ok && /Locks panel|is locked/.test(text) && (
        <>
          {' '}
          <Link href={locksHref(datastoreId, repository)} className="font-medium underline" data-testid="locks-link">
            Open the Locks panel
          </Link>
        </>
      )}
    </p>
  );
}

export const inputClass =
  'block w-full rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-950';
export const primaryButton =
  'rounded-md bg-brand-500 px-3 py-1.5 text-sm font-semibold text-white hover:bg-brand-600 disabled:opacity-40';
export const dangerButton =
  'rounded-md bg-red-600 px-3 py-1.5 text-sm font-semibold text-white hover:bg-red-700 disabled:opacity-40';
export const plainButton =
  'rounded-md border border-slate-300 px-3 py-1.5 text-sm font-medium hover:bg-slate-50 disabled:opacity-40 dark:border-slate-700 dark:hover:bg-slate-800';
