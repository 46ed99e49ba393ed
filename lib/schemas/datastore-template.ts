import { parseTemplate, serializeTemplate, type TemplateAttribute } from './template-syntax';
import { FIELD_BY_NAME, fieldsForBackend } from './datastore-fields';
import type { DatastoreWizardValues } from './datastore-wizard';

// The wizard's values as the exact template `onedatastore create` receives, and back: a pasted
// template prefills the wizard. Pure, so the review step is built in the browser and the password
// never has to come back from the server.

/**
 * The attributes in the order they are written: fixed ones, then the driver's for the chosen
 * backend (RESTIC_BACKEND only for S3: an SFTP template stays what OpenNebula before 7.4 knows),
 * then custom ones.
 */
export function templateAttributes(v: DatastoreWizardValues): TemplateAttribute[] {
  const attrs: TemplateAttribute[] = [
    { name: 'NAME', value: v.NAME },
    { name: 'TYPE', value: 'BACKUP_DS' },
    { name: 'DS_MAD', value: 'restic' },
    { name: 'TM_MAD', value: '-' },
  ];
  for (const f of fieldsForBackend(v.RESTIC_BACKEND)) {
    if (f.name === 'NAME') continue;
    if (f.name === 'RESTIC_BACKEND') {
      if (v.RESTIC_BACKEND === 'S3') attrs.push({ name: f.name, value: 'S3' });
      continue;
    }
    const value = v[f.name as keyof DatastoreWizardValues];
    if (typeof value === 'string') attrs.push({ name: f.name, value });
  }
  for (const c of v.custom) attrs.push({ name: c.name.toUpperCase(), value: c.value });
  return attrs;
}

export function templateText(v: DatastoreWizardValues): string {
  return serializeTemplate(templateAttributes(v));
}

export type Prefill = {
  values: Record<string, string>;
  custom: { name: string; value: string }[];
  /** What was changed or left out, in words. */
  notes: string[];
};

const IGNORED = new Set(['TYPE', 'DS_MAD', 'TM_MAD', 'BASE_PATH', 'DISK_TYPE']);

/** Reads a pasted template into wizard values; throws TemplateSyntaxError for text oned would refuse. */
export function prefillFromTemplate(text: string): Prefill {
  const attrs = parseTemplate(text);
  const values: Record<string, string> = {};
  const custom: Prefill['custom'] = [];
  const notes: string[] = [];
  for (const a of attrs) {
    if (!('value' in a)) {
      notes.push(`${a.name} is a vector attribute; the wizard leaves it out.`);
      continue;
    }
    if (a.name in values || custom.some((c) => c.name === a.name)) {
      notes.push(`${a.name} appears twice; the first value is kept, as OpenNebula does.`);
      continue;
    }
    if (IGNORED.has(a.name)) {
      if (a.name === 'TYPE' && a.value.toUpperCase() !== 'BACKUP_DS') notes.push(`TYPE ${a.value} becomes BACKUP_DS.`);
      if (a.name === 'DS_MAD' && a.value !== 'restic') notes.push(`DS_MAD ${a.value} becomes restic.`);
      continue;
    }
    if (FIELD_BY_NAME.has(a.name)) values[a.name] = normalise(a.name, a.value, notes);
    else custom.push({ name: a.name, value: a.value });
  }
  if (values.RESTIC_PASSWORD !== undefined) values.password_confirm = values.RESTIC_PASSWORD;
  // No RESTIC_BACKEND is the driver's SFTP: a pasted SFTP template switches the wizard back to it.
  values.RESTIC_BACKEND ??= 'SFTP';
  return { values, custom, notes };
}

function normalise(name: string, value: string, notes: string[]): string {
  if (name === 'RESTIC_COMPRESSION' && value !== value.toLowerCase()) {
    notes.push(
      `RESTIC_COMPRESSION ${value} is written as ${value.toLowerCase()}: the driver ignores capitals and would use auto.`,
    );
    return value.toLowerCase();
  }
  if (name === 'RESTIC_SPARSIFY') return value.toLowerCase();
  // The wizard's checkboxes hold "yes"; the driver reads YES and yes alike.
  if (name === 'RESTIC_S3_FORCE_PATH_STYLE' || name === 'RESTIC_S3_INSECURE_TLS') return value.toLowerCase();
  if (name === 'RESTIC_BACKEND') return value.toUpperCase();
  return value;
}
