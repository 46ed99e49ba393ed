'use client';

import type { FieldErrors } from '@/lib/schemas/action-state';
import { BUTTON, INPUT } from './styles';

export type CustomAttribute = { name: string; value: string };

type Props = { rows: CustomAttribute[]; errors: FieldErrors; onChange: (rows: CustomAttribute[]) => void };

/** Extra template attributes (name = value), e.g. for hooks or site conventions. */
export function CustomAttributes({ rows, errors, onChange }: Props) {
  const set = (i: number, patch: Partial<CustomAttribute>) =>
    onChange(rows.map((r, k) => (k === i ? { ...r, ...patch } : r)));
  return (
    <fieldset className="space-y-2">
      <legend className="text-sm font-medium">Custom attributes</legend>
      <p className="text-xs text-slate-600 dark:text-slate-400">
        Written into the template as they are. Names use letters, digits and _ (OpenNebula upper-cases them).
      </p>
      {rows.map((r, i) => {
        const nameErr = errors[`custom.${i}.name`];
        const valueErr = errors[`custom.${i}.value`];
        return (
          <div key={i} className="flex items-start gap-2" data-testid={`custom-row-${i}`}>
            <div className="flex-1">
              <label htmlFor={`custom-name-${i}`} className="sr-only">
                Custom attribute {i + 1} name
              </label>
              <input
                id={`custom-name-${i}`}
                name="custom_name"
                placeholder="NAME"
                value={r.name}
                onChange={(e) => set(i, { name: e.target.value })}
                aria-invalid={nameErr ? true : undefined}
                className={`${INPUT} mt-0 font-mono`}
                autoComplete="off"
              />
              {nameErr && <p className="mt-1 text-xs text-red-600 dark:text-red-400">{nameErr[0]}</p>}
            </div>
            <div className="flex-1">
              <label htmlFor={`custom-value-${i}`} className="sr-only">
                Custom attribute {i + 1} value
              </label>
              <input
                id={`custom-value-${i}`}
                name="custom_value"
                placeholder="value"
                value={r.value}
                onChange={(e) => set(i, { value: e.target.value })}
                aria-invalid={valueErr ? true : undefined}
                className={`${INPUT} mt-0 font-mono`}
                autoComplete="off"
              />
              {valueErr && <p className="mt-1 text-xs text-red-600 dark:text-red-400">{valueErr[0]}</p>}
            </div>
            <button type="button" className={BUTTON} onClick={() => onChange(rows.filter((_, k) => k !== i))}>
              Remove
            </button>
          </div>
        );
      })}
      <button type="button" className={BUTTON} onClick={() => onChange([...rows, { name: '', value: '' }])}>
        Add attribute
      </button>
    </fieldset>
  );
}
