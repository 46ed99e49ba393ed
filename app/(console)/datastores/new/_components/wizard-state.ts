import type { FieldErrors } from '@/lib/schemas/action-state';
import { FIELD_BY_NAME, RESTIC_FIELDS, WIZARD_STEPS, type WizardStep } from '@/lib/schemas/datastore-fields';

// Pure helpers of the wizard: initial values and which step a field error belongs to.

export function initialValues(defaultCluster: string): Record<string, string> {
  const v: Record<string, string> = { cluster: defaultCluster, password_confirm: '' };
  for (const f of RESTIC_FIELDS) v[f.name] = '';
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

/** OpenNebula refuses a second datastore of the same name: say so on the first step. */
export function nameTakenError(name: string, taken: readonly { id: number; name: string }[]): string | undefined {
  const clash = taken.find((d) => d.name === name.trim());
  return clash ? `Datastore ${clash.id} is already named “${clash.name}”: choose another name.` : undefined;
}
