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

// The control styles live with the shared form pieces; the maintenance panels take them from here.
export { inputClass, primaryButton, dangerButton, plainButton } from '@/app/_components/form-classes';
