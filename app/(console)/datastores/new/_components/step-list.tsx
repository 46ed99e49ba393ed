'use client';

import { stepTitle, WIZARD_STEPS, type Backend, type WizardStep } from '@/lib/schemas/datastore-fields';

type Props = { current: WizardStep; visited: number; backend: Backend; onSelect: (s: WizardStep) => void };

/** The steps, Sunstone-style; steps already reached can be opened again. */
export function StepList({ current, visited, backend, onSelect }: Props) {
  return (
    <nav aria-label="Wizard steps" className="md:w-56">
      <ol className="space-y-1">
        {WIZARD_STEPS.map((s, i) => {
          const active = s.id === current;
          return (
            <li key={s.id}>
              <button
                type="button"
                disabled={i > visited}
                aria-current={active ? 'step' : undefined}
                onClick={() => onSelect(s.id)}
                className={`flex w-full items-center gap-2 rounded-md px-2 py-1.5 text-left text-sm disabled:opacity-50 ${
                  active ? 'bg-brand-500/10 font-semibold text-brand-600' : 'hover:bg-slate-100 dark:hover:bg-slate-800'
                }`}
              >
                <span className="flex size-6 items-center justify-center rounded-full border text-xs">{i + 1}</span>
                {stepTitle(s.id, backend)}
              </button>
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
