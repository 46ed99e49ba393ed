'use client';

import type { WizardField } from '@/lib/schemas/datastore-fields';
import { INPUT } from './styles';

type Props = {
  field: WizardField;
  value: string;
  errors?: string[];
  onChange: (value: string) => void;
};

/** One driver attribute: label, input named after the attribute, its description and default. */
export function FieldInput({ field, value, errors, onChange }: Props) {
  const id = `field-${field.name}`;
  const help = `${id}-help`;
  const err = `${id}-error`;
  const describedBy = errors?.length ? `${help} ${err}` : help;
  const common = {
    id,
    name: field.name,
    'aria-describedby': describedBy,
    'aria-invalid': errors?.length ? true : undefined,
  } as const;
  return (
    <div>
      {field.kind === 'checkbox' ? (
        <>
          <div className="flex items-center gap-2">
            {/* Unchecked sends "no" only when the admin chose it: an untouched box leaves the driver's default. */}
            <input
              {...common}
              type="checkbox"
              value="yes"
              checked={value === 'yes'}
              onChange={(e) => onChange(e.target.checked ? 'yes' : '')}
              className="size-4 rounded border-slate-300"
            />
            <label htmlFor={id} className="text-sm font-medium">
              {field.label} <span className="font-mono text-xs text-slate-500">{field.name}</span>
            </label>
          </div>
          {field.warning && value === 'yes' && (
            <p
              role="alert"
              className="mt-1 rounded-md bg-amber-50 p-2 text-xs text-amber-900 dark:bg-amber-950/40 dark:text-amber-200"
              data-testid={`warning-${field.name}`}
            >
              {field.warning}
            </p>
          )}
        </>
      ) : (
        <>
          <label htmlFor={id} className="block text-sm font-medium">
            {field.label} <span className="font-mono text-xs text-slate-500">{field.name}</span>
            {field.unit && <span className="ml-1 text-xs text-slate-500">({field.unit})</span>}
          </label>
          {field.kind === 'select' ? (
            <select {...common} value={value} onChange={(e) => onChange(e.target.value)} className={INPUT}>
              {field.options?.map((o) => (
                <option key={o} value={o}>
                  {o}
                </option>
              ))}
            </select>
          ) : (
            <input
              {...common}
              // A secret is typed, never shown: masked, not remembered by the browser.
              type={field.kind === 'secret' ? 'password' : 'text'}
              inputMode={field.kind === 'integer' ? 'numeric' : undefined}
              placeholder={field.placeholder}
              value={value}
              onChange={(e) => onChange(e.target.value)}
              className={INPUT}
              autoComplete={field.kind === 'secret' ? 'new-password' : 'off'}
              spellCheck={false}
            />
          )}
        </>
      )}
      <p id={help} className="mt-1 text-xs text-slate-600 dark:text-slate-400">
        {field.description} <span className="whitespace-nowrap">Default: {field.defaultText}.</span>
      </p>
      {errors?.length ? (
        <p id={err} className="mt-1 text-xs text-red-600 dark:text-red-400" data-testid={`error-${field.name}`}>
          {errors[0]}
        </p>
      ) : null}
    </div>
  );
}
