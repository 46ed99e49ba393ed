'use client';

import { useActionState, useState } from 'react';
import { IDLE, type ActionState } from '@/lib/schemas/action-state';
import { signInAction } from './actions';

export function SignInForm({ next }: { next: string }) {
  const [state, formAction, pending] = useActionState<ActionState, FormData>(signInAction, IDLE);
  const fieldErrors = state.status === 'invalid' ? state.fieldErrors : {};
  const message = state.status !== 'idle' && state.status !== 'ok' ? state.message : undefined;
  // React resets a form's uncontrolled fields after its action: the user name is kept here so a
  // wrong password costs the password only.
  const [username, setUsername] = useState('');
  return (
    <form action={formAction} className="space-y-4" noValidate>
      <input type="hidden" name="next" value={next} />
      <div>
        <label htmlFor="username" className="block text-sm font-medium">
          User name
        </label>
        <input
          id="username"
          name="username"
          autoComplete="username"
          value={username}
          onChange={(e) => setUsername(e.target.value)}
          required
          autoFocus
          aria-invalid={fieldErrors.username ? true : undefined}
          className="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm focus:border-brand-500 focus:ring-2 focus:ring-brand-500/30 focus:outline-none dark:border-slate-700 dark:bg-slate-950"
        />
        {fieldErrors.username && <p className="mt-1 text-xs text-red-600">{fieldErrors.username[0]}</p>}
      </div>
      <div>
        <label htmlFor="password" className="block text-sm font-medium">
          Password
        </label>
        <input
          id="password"
          name="password"
          type="password"
          autoComplete="current-password"
          required
          aria-invalid={fieldErrors.password ? true : undefined}
          className="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm focus:border-brand-500 focus:ring-2 focus:ring-brand-500/30 focus:outline-none dark:border-slate-700 dark:bg-slate-950"
        />
        {fieldErrors.password && <p className="mt-1 text-xs text-red-600">{fieldErrors.password[0]}</p>}
      </div>
      <p
        role="alert"
        aria-live="polite"
        data-testid="sign-in-message"
        className="min-h-5 text-sm text-red-600 dark:text-red-400"
      >
        {message}
      </p>
      <button
        type="submit"
        disabled={pending}
        className="w-full rounded-md bg-brand-500 px-4 py-2 text-sm font-semibold text-white hover:bg-brand-600 disabled:opacity-60"
      >
        {pending ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
