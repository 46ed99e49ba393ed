import type { ReactNode } from 'react';
import type { ActionState } from '@/lib/schemas/action-state';

/**
 * A server action's outcome in plain words, below its form: a status when it went through, an
 * alert otherwise. `extra` adds what leads on from a given message (a link to where it is fixed).
 */
export function ActionOutcome<T>({
  state,
  testId,
  extra,
}: {
  state: ActionState<T>;
  testId: string;
  extra?: (text: string, ok: boolean) => ReactNode;
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
      {extra?.(text, ok)}
    </p>
  );
}
