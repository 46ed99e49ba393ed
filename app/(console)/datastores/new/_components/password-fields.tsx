'use client';

import { useState } from 'react';
import { FIELD_BY_NAME } from '@/lib/schemas/datastore-fields';
import { generatePassword } from './password-generator';
import { BUTTON, INPUT } from './styles';

type Props = {
  password: string;
  confirm: string;
  errors: { password?: string[]; confirm?: string[] };
  onChange: (password: string, confirm: string) => void;
};

/** RESTIC_PASSWORD, masked with reveal, its confirmation and a generator. */
export function PasswordFields({ password, confirm, errors, onChange }: Props) {
  const [reveal, setReveal] = useState(false);
  const field = FIELD_BY_NAME.get('RESTIC_PASSWORD')!;
  const type = reveal ? 'text' : 'password';
  return (
    <div className="space-y-3">
      <div>
        <label htmlFor="field-RESTIC_PASSWORD" className="block text-sm font-medium">
          {field.label} <span className="font-mono text-xs text-slate-500">RESTIC_PASSWORD</span>
        </label>
        <div className="mt-1 flex gap-2">
          <input
            id="field-RESTIC_PASSWORD"
            name="RESTIC_PASSWORD"
            type={type}
            autoComplete="new-password"
            spellCheck={false}
            value={password}
            onChange={(e) => onChange(e.target.value, confirm)}
            aria-describedby="field-RESTIC_PASSWORD-help"
            aria-invalid={errors.password?.length ? true : undefined}
            className={`${INPUT} mt-0 font-mono`}
          />
          <button
            type="button"
            className={BUTTON}
            aria-pressed={reveal}
            onClick={() => setReveal((r) => !r)}
            aria-label={reveal ? 'Hide password' : 'Show password'}
          >
            {reveal ? 'Hide' : 'Show'}
          </button>
          <button
            type="button"
            className={BUTTON}
            onClick={() => {
              const p = generatePassword();
              onChange(p, p);
              setReveal(true);
            }}
          >
            Generate
          </button>
        </div>
        <p id="field-RESTIC_PASSWORD-help" className="mt-1 text-xs text-slate-600 dark:text-slate-400">
          {field.description} Default: none, required.
        </p>
        {errors.password?.length ? (
          <p className="mt-1 text-xs text-red-600 dark:text-red-400" data-testid="error-RESTIC_PASSWORD">
            {errors.password[0]}
          </p>
        ) : null}
      </div>
      <div>
        <label htmlFor="field-password-confirm" className="block text-sm font-medium">
          Confirm the password
        </label>
        <input
          id="field-password-confirm"
          name="password_confirm"
          type={type}
          autoComplete="new-password"
          spellCheck={false}
          value={confirm}
          onChange={(e) => onChange(password, e.target.value)}
          aria-invalid={errors.confirm?.length ? true : undefined}
          className={`${INPUT} font-mono`}
        />
        {errors.confirm?.length ? (
          <p className="mt-1 text-xs text-red-600 dark:text-red-400" data-testid="error-password_confirm">
            {errors.confirm[0]}
          </p>
        ) : null}
      </div>
    </div>
  );
}
