import type { ReactNode } from 'react';

// The settings forms' small pieces: a labelled field, a toggle and a secret's state (the control
// styles are every form's, app/_components/form-classes).

export function Field({
  id,
  label,
  hint,
  children,
}: {
  id: string;
  label: string;
  hint?: ReactNode;
  children: ReactNode;
}) {
  return (
    <div className="space-y-1">
      <label htmlFor={id} className="block text-sm font-medium">
        {label}
      </label>
      {children}
      {hint && <p className="text-xs text-slate-500 dark:text-slate-400">{hint}</p>}
    </div>
  );
}

export function Toggle({
  id,
  name,
  label,
  defaultChecked,
}: {
  id: string;
  name: string;
  label: string;
  defaultChecked: boolean;
}) {
  return (
    <label htmlFor={id} className="flex items-center gap-2 text-sm">
      <input id={id} name={name} type="checkbox" defaultChecked={defaultChecked} className="h-4 w-4" />
      {label}
    </label>
  );
}

/** Whether a write-only secret is stored: the value itself never comes back. */
export function SecretState({ set, testId }: { set: boolean; testId: string }) {
  return (
    <span
      data-testid={testId}
      className={`ml-2 rounded px-1.5 py-0.5 text-xs font-medium ${set ? 'bg-emerald-100 text-emerald-800 dark:bg-emerald-900/50 dark:text-emerald-300' : 'bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-300'}`}
    >
      {set ? 'set' : 'not set'}
    </span>
  );
}
