import type { ActionState } from '@/lib/schemas/action-state';

// The VM forms' shared bits: an action's outcome in plain words, and the control styles of the
// maintenance forms (light and dark).

export {
  inputClass,
  primaryButton,
  dangerButton,
  plainButton,
} from '@/app/(console)/datastores/[id]/maintenance/[repo]/_components/action-message';

export function Outcome<T>({ state, testId }: { state: ActionState<T>; testId: string }) {
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
    </p>
  );
}

export const labelClass = 'block text-xs font-medium';
