'use client';

import { useState, type ReactNode } from 'react';
import { dangerButton, inputClass } from './form-classes';

/**
 * A destructive submit button that stays disabled until `expected` (a repository's name, an
 * image's ID) is typed: the one "type the name to confirm" control of every destructive form
 * (maintenance panels, Backup Job actions, restore in place). The typed text is also posted as
 * `confirm`, and the server action checks it again. `children` sit between the input and the
 * button (the Locks panel's override tick).
 */
export function ConfirmByTyping({
  expected,
  prompt,
  inputTestId,
  buttonTestId,
  pending,
  buttonLabel,
  children,
}: {
  expected: string;
  prompt: ReactNode;
  inputTestId: string;
  buttonTestId: string;
  pending: boolean;
  buttonLabel: ReactNode;
  children?: ReactNode;
}) {
  const [typed, setTyped] = useState('');
  return (
    <>
      <label className="block text-xs font-medium">
        {prompt}
        <input
          name="confirm"
          autoComplete="off"
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          className={`mt-1 ${inputClass}`}
          data-testid={inputTestId}
        />
      </label>
      {children}
      <button
        type="submit"
        className={dangerButton}
        disabled={pending || typed.trim() !== expected}
        data-testid={buttonTestId}
      >
        {buttonLabel}
      </button>
    </>
  );
}
