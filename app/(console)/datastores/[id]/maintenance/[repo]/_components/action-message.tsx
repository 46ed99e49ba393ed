import Link from 'next/link';
import type { ActionState } from '@/lib/schemas/action-state';
import { ActionOutcome } from '@/app/_components/action-outcome';
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
  return (
    <ActionOutcome
      state={state}
      testId={testId}
      extra={(text, ok) =>
        !ok &&
        /Locks panel|is locked/.test(text) && (
          <>
            {' '}
            <Link href={locksHref(datastoreId, repository)} className="font-medium underline" data-testid="locks-link">
              Open the Locks panel
            </Link>
          </>
        )
      }
    />
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
