// The VM forms' shared bits: an action's outcome in plain words, and the control styles of every
// form (light and dark).

export { inputClass, primaryButton, dangerButton, plainButton } from '@/app/_components/form-classes';

/** An action's outcome in plain words (the shared component, under the name these forms use). */
export { ActionOutcome as Outcome } from '@/app/_components/action-outcome';

export const labelClass = 'block text-xs font-medium';
