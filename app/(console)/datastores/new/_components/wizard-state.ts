import type { ActionState, FieldErrors } from '@/lib/schemas/action-state';
import { backendOf, FIELD_BY_NAME, RESTIC_FIELDS, WIZARD_STEPS, type WizardStep } from '@/lib/schemas/datastore-fields';
import type { PreflightReport } from '@/lib/schemas/datastore-preflight';
import type { Prefill } from '@/lib/schemas/datastore-template';
import type { CustomAttribute } from './custom-attributes';

// The wizard's state and its pure helpers: initial values, the reducer, and which step a field
// error belongs to.

export type WizardState = {
  step: WizardStep;
  /** The index of the furthest step opened: the step list lets the person go back to any of them. */
  visited: number;
  values: Record<string, string>;
  custom: CustomAttribute[];
  /** The errors of the last Next or Create (the server's come with the action's state). */
  errors: FieldErrors;
  /** The last backup server check, with the fields it checked (a change asks for a new one). */
  preflight?: { key: string; state: ActionState<PreflightReport> };
};

export type WizardAction =
  | { type: 'go'; step: WizardStep }
  | { type: 'set'; values: Record<string, string> }
  | { type: 'custom'; custom: CustomAttribute[] }
  | { type: 'errors'; errors: FieldErrors; step?: WizardStep }
  | { type: 'prefill'; prefill: Prefill }
  | { type: 'preflight'; key: string; state: ActionState<PreflightReport> };

export function initialState(defaultCluster: string): WizardState {
  return { step: 'general', visited: 0, values: initialValues(defaultCluster), custom: [], errors: {} };
}

export function wizardReducer(s: WizardState, a: WizardAction): WizardState {
  switch (a.type) {
    case 'go':
      return { ...s, step: a.step, visited: Math.max(s.visited, stepIndex(a.step)) };
    case 'set':
      return { ...s, values: { ...s.values, ...a.values } };
    case 'custom':
      return { ...s, custom: a.custom };
    case 'errors':
      return a.step ? { ...s, errors: a.errors, step: a.step } : { ...s, errors: a.errors };
    case 'prefill':
      // A pasted template replaces the custom attributes and the errors of what was typed before.
      return { ...s, values: { ...s.values, ...a.prefill.values }, custom: a.prefill.custom, errors: {} };
    case 'preflight':
      return { ...s, preflight: { key: a.key, state: a.state } };
  }
}

export function initialValues(defaultCluster: string): Record<string, string> {
  const v: Record<string, string> = { cluster: defaultCluster, password_confirm: '' };
  for (const f of RESTIC_FIELDS) v[f.name] = '';
  v.RESTIC_BACKEND = 'SFTP';
  v.RESTIC_SFTP_USER = 'oneadmin';
  v.RESTIC_COMPRESSION = 'auto';
  return v;
}

export function stepOf(errorKey: string): WizardStep {
  if (errorKey === 'cluster') return 'general';
  if (errorKey === 'password_confirm') return 'repository';
  if (errorKey.startsWith('custom')) return 'limits';
  return FIELD_BY_NAME.get(errorKey)?.step ?? 'review';
}

export function errorsOfStep(errors: FieldErrors, step: WizardStep): FieldErrors {
  return Object.fromEntries(Object.entries(errors).filter(([k]) => stepOf(k) === step));
}

export function stepIndex(step: WizardStep): number {
  return WIZARD_STEPS.findIndex((s) => s.id === step);
}

/** A readable label for an error key, for the summary on the review step. */
export function labelOf(errorKey: string): string {
  if (errorKey === 'cluster') return 'Cluster';
  if (errorKey === 'password_confirm') return 'Password confirmation';
  const custom = /^custom\.(\d+)\.(name|value)$/.exec(errorKey);
  if (custom) return `Custom attribute ${Number(custom[1]) + 1} ${custom[2]}`;
  return FIELD_BY_NAME.get(errorKey)?.label ?? 'Form';
}

/** The values of the chosen backend's fields only (and every shared one): what is checked and sent. */
export function valuesOfBackend(values: Record<string, string>): Record<string, string> {
  const backend = backendOf(values.RESTIC_BACKEND);
  return Object.fromEntries(
    Object.entries(values).filter(([k]) => {
      const b = FIELD_BY_NAME.get(k)?.backend;
      return b === undefined || b === backend;
    }),
  );
}

/** OpenNebula refuses a second datastore of the same name: say so on the first step. */
export function nameTakenError(name: string, taken: readonly { id: number; name: string }[]): string | undefined {
  const clash = taken.find((d) => d.name === name.trim());
  return clash ? `Datastore ${clash.id} is already named “${clash.name}”: choose another name.` : undefined;
}
