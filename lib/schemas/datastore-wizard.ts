import { z } from 'zod';
import { unrepresentableReason } from './template-syntax';
import { FIELD_BY_NAME, FIXED_ATTRIBUTES, RESTIC_FIELDS, SLICE_LIMIT_FIELDS } from './datastore-fields';
import type { FieldErrors } from './action-state';
import { INVISIBLE_OR_BIDI, INVISIBLE_OR_BIDI_MESSAGE, SAFE_ABSOLUTE_FOLDER } from './text-rules';

// The one schema of the datastore wizard: the client validates each step with it and the create
// action validates the submitted form again with it. The rules are the driver's
// (the attributes it reads, their defaults and how it validates them): what the driver would silently misread or
// fail on is refused here, with words that say why.

const blank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && v.trim() === '');

/** A form value: a string (trimmed unless `raw`), or '' for anything else. */
const text = (raw = false) =>
  z.preprocess((v) => (typeof v === 'string' ? (raw ? v : v.trim()) : blank(v) ? '' : v), z.string().max(4_096));

/** A string oned can carry exactly (see template-syntax.ts). */
const representable = () =>
  z.string().superRefine((v, ctx) => {
    const reason = unrepresentableReason(v);
    if (reason) ctx.addIssue({ code: 'custom', message: `Not possible: ${reason}.` });
  });

type IntRule = { min: number; max?: number; unset?: boolean; what: string };

/** An optional integer attribute: '' leaves it out; -1 is the driver's "unset" where it has one. */
function optionalInteger({ min, max, unset, what }: IntRule) {
  return text()
    .refine((v) => v === '' || /^-?\d+$/.test(v), { message: `${what} must be a whole number.` })
    .refine(
      (v) => {
        if (v === '' || !/^-?\d+$/.test(v)) return true;
        const n = Number(v);
        if (unset && n === -1) return true;
        return Number.isSafeInteger(n) && n >= min && (max === undefined || n <= max);
      },
      {
        message:
          max === undefined
            ? `${what} must be ${min} or more${unset ? ' (or -1 for unset)' : ''}.`
            : `${what} must be between ${min} and ${max}${unset ? ' (or -1 for unset)' : ''}.`,
      },
    )
    .transform((v) => (v === '' ? undefined : String(Number(v))));
}

const NAME_FORBIDDEN = /[&|:\\";/'#{}$<>]/;
// A host name, an IPv4 address or a bare IPv6 address (the driver builds sftp:USER@SERVER:PATH).
const SERVER =
  /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$|^[0-9A-Fa-f:]+$/;
const SSH_USER = /^[a-z_][a-z0-9_.-]*\$?$/i;
const ATTRIBUTE_NAME = /^[A-Za-z0-9_]+$/;
export const PRUNE_MAX_UNUSED = /^\d+[kKmMgGtT%]?$|^unlimited$/;
export const PRUNE_MAX_REPACK = /^\d+[kKmMgGtT]?$/;

const KNOWN_NAMES = new Set<string>([...FIXED_ATTRIBUTES, ...RESTIC_FIELDS.map((f) => f.name), 'BASE_PATH']);

const CustomAttribute = z.object({
  name: text(),
  value: text(true),
});

/** The fields without the cross-field rules, for schemas that need only some of them. */
export const DatastoreWizardFields = z.object({
  requestId: z.uuid('The form is incomplete: reload the page.'),
  NAME: text()
    .pipe(z.string().min(1, 'Enter a name.').max(128, 'A name has at most 128 characters.'))
    .refine((v) => !NAME_FORBIDDEN.test(v), { message: 'A name may not contain & | : \\ " ; / \' # { } $ < >.' })
    .refine((v) => !INVISIBLE_OR_BIDI.test(v), { message: INVISIBLE_OR_BIDI_MESSAGE })
    .pipe(representable()),
  cluster: text().refine((v) => v === '' || /^\d{1,9}$/.test(v), { message: 'Choose a cluster.' }),
  RESTIC_SFTP_SERVER: text()
    .pipe(z.string().min(1, 'Enter the backup server.').max(253, 'That name is too long.'))
    .refine((v) => SERVER.test(v), { message: 'Enter a host name or an IP address (no user, port or path).' }),
  RESTIC_SFTP_USER: text()
    .transform((v) => (v === '' ? 'oneadmin' : v))
    .refine((v) => v.length <= 32 && SSH_USER.test(v), { message: 'Enter a user name such as oneadmin.' }),
  RESTIC_PASSWORD: text(true)
    .pipe(z.string().min(1, 'Enter a password or generate one.').max(1_024, 'At most 1024 characters.'))
    .refine((v) => !v.includes("'"), { message: "The password may not contain ' (it breaks the driver's scripts)." })
    .refine((v) => !/[\p{Cc}]/u.test(v), { message: 'The password may not contain line breaks or control characters.' })
    .refine((v) => !/^(["']).*\1$/s.test(v), {
      message: 'The driver strips one pair of surrounding quotes: leave them out.',
    })
    .refine((v) => v.trim() === v, { message: 'The password may not start or end with a space.' })
    .pipe(representable()),
  password_confirm: text(true),
  RESTIC_COMPRESSION: text()
    .transform((v) => (v === '' ? 'auto' : v))
    .refine((v) => v === 'auto' || v === 'off' || v === 'max', { message: 'Choose auto, off or max (lower case).' }),
  RESTIC_CONNECTIONS: optionalInteger({ min: 1, max: 1_000, what: 'Connections' }),
  RESTIC_BWLIMIT: optionalInteger({ min: 0, what: 'The bandwidth limit' }),
  RESTIC_MAXPROC: optionalInteger({ min: 1, max: 4_096, unset: true, what: 'Threads' }),
  RESTIC_NICE: optionalInteger({ min: -19, max: 19, what: 'nice' }),
  RESTIC_IONICE: optionalInteger({ min: 0, max: 7, unset: true, what: 'ionice' }),
  RESTIC_MAX_RIOPS: optionalInteger({ min: 1, unset: true, what: 'Read IOPS' }),
  RESTIC_MAX_WIOPS: optionalInteger({ min: 1, unset: true, what: 'Write IOPS' }),
  RESTIC_CPU_QUOTA: optionalInteger({ min: 1, unset: true, what: 'The CPU quota' }),
  RESTIC_MEMORY_MAX_MB: optionalInteger({ min: 1, unset: true, what: 'The memory limit' }),
  RESTIC_SPARSIFY: text()
    .transform((v) => v.toLowerCase())
    .refine((v) => v === '' || v === 'yes' || v === 'no', { message: 'Choose yes or no.' })
    .transform((v) => (v === '' ? undefined : v)),
  // The driver interpolates it into shell lines on the hosts: safe characters only, normalized.
  RESTIC_TMP_DIR: text()
    .refine((v) => v === '' || SAFE_ABSOLUTE_FOLDER.test(v), {
      message:
        'Enter an absolute folder such as /var/tmp: letters, digits, . _ - and /, without spaces, "..", "." or a trailing /.',
    })
    .transform((v) => (v === '' ? undefined : v)),
  RESTIC_PRUNE_MAX_UNUSED: text()
    .refine((v) => v === '' || PRUNE_MAX_UNUSED.test(v), {
      message: 'Enter a size such as 0, 500M or 5%, or unlimited.',
    })
    .transform((v) => (v === '' ? undefined : v)),
  RESTIC_PRUNE_MAX_REPACK: text()
    .refine((v) => v === '' || PRUNE_MAX_REPACK.test(v), { message: 'Enter a size such as 10G.' })
    .transform((v) => (v === '' ? undefined : v)),
  custom: z.array(CustomAttribute).max(100, 'At most 100 custom attributes.').default([]),
});

export const DatastoreWizardSchema = DatastoreWizardFields.superRefine((v, ctx) => {
  if (v.RESTIC_PASSWORD !== v.password_confirm)
    ctx.addIssue({ code: 'custom', path: ['password_confirm'], message: 'The two passwords differ.' });
  const seen = new Set<string>();
  v.custom.forEach((c, i) => {
    const upper = c.name.toUpperCase();
    const issue = (field: 'name' | 'value', message: string) =>
      ctx.addIssue({ code: 'custom', path: ['custom', i, field], message });
    if (!ATTRIBUTE_NAME.test(c.name)) issue('name', 'A name uses only letters, digits and _.');
    else if (KNOWN_NAMES.has(upper)) issue('name', `${upper} is set by the wizard itself.`);
    else if (seen.has(upper)) issue('name', `${upper} appears twice.`);
    seen.add(upper);
    const reason = unrepresentableReason(c.value);
    if (reason) issue('value', `Not possible: ${reason}.`);
  });
});

export type DatastoreWizardInput = z.input<typeof DatastoreWizardSchema>;
export type DatastoreWizardValues = z.output<typeof DatastoreWizardSchema>;

/** Field errors keyed by the input's name ("RESTIC_NICE", "custom.0.name"). */
export function wizardFieldErrors(error: z.ZodError): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path.map(String).join('.') || 'form';
    (out[key] ??= []).push(issue.message);
  }
  return out;
}

/** The raw input from a submitted form: strings only, whatever a caller sent. */
export function wizardInputFromFormData(fd: FormData): Record<string, unknown> {
  const str = (v: FormDataEntryValue | null) => (typeof v === 'string' ? v : undefined);
  const input: Record<string, unknown> = {
    requestId: str(fd.get('requestId')),
    cluster: str(fd.get('cluster')),
    password_confirm: str(fd.get('password_confirm')),
  };
  for (const f of RESTIC_FIELDS) input[f.name] = str(fd.get(f.name));
  const names = fd.getAll('custom_name');
  const values = fd.getAll('custom_value');
  input.custom = names.map((n, i) => ({ name: str(n) ?? '', value: str(values[i] ?? null) ?? '' }));
  return input;
}

/** True when a systemd slice limit is set, so the hosts need cgroup delegation. */
export function usesSliceLimits(v: Pick<DatastoreWizardValues, (typeof SLICE_LIMIT_FIELDS)[number]>): boolean {
  return SLICE_LIMIT_FIELDS.some((name) => v[name] !== undefined && v[name] !== '-1');
}

export function isKnownField(name: string): boolean {
  return FIELD_BY_NAME.has(name);
}
