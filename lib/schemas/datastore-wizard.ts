import { z } from 'zod';
import { unrepresentableReason } from './template-syntax';
import {
  backendOf,
  FIELD_BY_NAME,
  FIXED_ATTRIBUTES,
  RESTIC_FIELDS,
  SLICE_LIMIT_FIELDS,
  type Backend,
} from './datastore-fields';
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

// S3 bucket names (AWS's rules, which MinIO and Ceph RGW follow): 3 to 63 lower-case letters,
// digits, dots and hyphens, starting and ending with a letter or digit, no "..", not an IP address.
const BUCKET = /^[a-z0-9](?:[a-z0-9.-]{1,61})[a-z0-9]$/;
const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;
// An endpoint: http(s)://host[:port], host a DNS name, an IPv4 address or [IPv6]; no user, path or query.
const ENDPOINT =
  /^https?:\/\/(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/i;
// Access keys: printable ASCII without spaces or quotes (the driver exports them in shell lines).
const KEY = /^[\x21-\x7e]+$/;
const REGION = /^[A-Za-z0-9_-]{1,64}$/;

/** An S3 key or secret: required for S3 (checked with the backend), printable, no quotes. */
const s3Key = (what: string, max: number) =>
  text()
    .refine((v) => v.length <= max, { message: `${what} has at most ${max} characters.` })
    .refine((v) => v === '' || KEY.test(v), {
      message: `${what} uses printable characters only, without spaces or line breaks.`,
    })
    .refine((v) => !/['"]/.test(v), { message: `${what} may not contain ' or " (the driver's scripts would break).` });

const yesNo = () =>
  text()
    .transform((v) => v.toLowerCase())
    .refine((v) => v === '' || v === 'yes' || v === 'no', { message: 'Choose yes or no.' })
    .transform((v) => (v === '' ? undefined : v.toUpperCase()));

/** The endpoint as the driver keeps it: trailing slashes removed; empty leaves AWS's default. */
export const S3Endpoint = text()
  .transform((v) => v.replace(/\/+$/, ''))
  .refine((v) => v.length <= 2_048, { message: 'That endpoint is too long.' })
  .refine((v) => v === '' || /^https?:\/\//i.test(v), {
    message: 'Write the endpoint with http:// or https://, e.g. https://s3.example.com or http://10.0.0.5:9000.',
  })
  .refine((v) => v === '' || !/^https?:\/\//i.test(v) || ENDPOINT.test(v), {
    message: 'Enter http(s)://HOST or http(s)://HOST:PORT only: no user, path, query or spaces.',
  })
  .refine((v) => !ENDPOINT.test(v) || Number(/:(\d+)$/.exec(v)?.[1] ?? 1) <= 65_535, {
    message: 'A port is at most 65535.',
  })
  .transform((v) => (v === '' ? undefined : v));

export const S3Bucket = text()
  .refine((v) => v === '' || (BUCKET.test(v) && !v.includes('..') && !IPV4.test(v)), {
    message:
      'A bucket name has 3 to 63 lower-case letters, digits, dots and hyphens, starts and ends with a letter or digit, and is not an IP address.',
  })
  .refine((v) => !v.startsWith('xn--') && !v.endsWith('-s3alias') && !v.endsWith('--ol-s3'), {
    message: 'S3 reserves names that start with xn-- or end with -s3alias or --ol-s3.',
  });

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
  RESTIC_BACKEND: text()
    .refine((v) => v === '' || /^(?:sftp|s3)$/i.test(v), { message: 'Choose SFTP or S3.' })
    .transform((v): Backend => backendOf(v)),
  // Required for SFTP: the cross-field rules below say so (an S3 datastore has no backup server).
  RESTIC_SFTP_SERVER: text()
    .refine((v) => v.length <= 253, { message: 'That name is too long.' })
    .refine((v) => v === '' || SERVER.test(v), {
      message: 'Enter a host name or an IP address (no user, port or path).',
    }),
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
  RESTIC_S3_ENDPOINT: S3Endpoint,
  RESTIC_S3_BUCKET: S3Bucket,
  RESTIC_S3_ACCESS_KEY_ID: s3Key('The access key ID', 128).pipe(representable()),
  RESTIC_S3_SECRET_ACCESS_KEY: s3Key('The secret access key', 256).pipe(representable()),
  RESTIC_S3_REGION: text()
    .refine((v) => v === '' || REGION.test(v), {
      message: 'Enter a region such as us-east-1 (letters, digits, - and _).',
    })
    .transform((v) => (v === '' ? undefined : v)),
  RESTIC_S3_FORCE_PATH_STYLE: yesNo(),
  // The driver passes it as --cacert on the hosts: an absolute file of safe characters.
  RESTIC_S3_CACERT: text()
    .refine((v) => v === '' || SAFE_ABSOLUTE_FOLDER.test(v), {
      message:
        'Enter an absolute file path such as /etc/ssl/private-ca.pem: letters, digits, . _ - and /, without spaces or "..".',
    })
    .transform((v) => (v === '' ? undefined : v)),
  RESTIC_S3_INSECURE_TLS: yesNo(),
  TOTAL_MB: optionalInteger({ min: 1, max: 2 ** 40, what: 'The capacity' }),
  custom: z.array(CustomAttribute).max(100, 'At most 100 custom attributes.').default([]),
});

/** Fields of one backend only: a value for the other one is refused rather than silently dropped. */
const SFTP_ONLY = RESTIC_FIELDS.filter((f) => f.backend === 'SFTP').map((f) => f.name);
const S3_ONLY = RESTIC_FIELDS.filter((f) => f.backend === 'S3').map((f) => f.name);

type BackendFields = { RESTIC_BACKEND: Backend } & Record<string, unknown>;

/** The required fields of the chosen backend, and nothing of the other one. */
export function checkBackendFields(v: BackendFields, ctx: z.RefinementCtx, sftpDefaults: Record<string, unknown>) {
  const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
  const s3 = v.RESTIC_BACKEND === 'S3';
  for (const name of s3 ? SFTP_ONLY : S3_ONLY) {
    const value = v[name];
    if (value === undefined || value === '' || (s3 && sftpDefaults[name] === value)) continue;
    issue(
      name,
      s3
        ? `${name} is for SFTP datastores: leave it empty for S3.`
        : `${name} is for S3 datastores: leave it empty, or choose S3 as where the repositories live.`,
    );
  }
  if (s3) {
    if (!v.RESTIC_S3_BUCKET) issue('RESTIC_S3_BUCKET', 'Enter the bucket.');
    if (!v.RESTIC_S3_ACCESS_KEY_ID) issue('RESTIC_S3_ACCESS_KEY_ID', 'Enter the access key ID.');
    if (!v.RESTIC_S3_SECRET_ACCESS_KEY) issue('RESTIC_S3_SECRET_ACCESS_KEY', 'Enter the secret access key.');
    if (v.RESTIC_S3_CACERT && v.RESTIC_S3_INSECURE_TLS === 'YES')
      issue('RESTIC_S3_INSECURE_TLS', 'With a CA certificate file the certificate can be checked: leave this off.');
  } else if (!v.RESTIC_SFTP_SERVER) issue('RESTIC_SFTP_SERVER', 'Enter the backup server.');
}

export const DatastoreWizardSchema = DatastoreWizardFields.superRefine((v, ctx) => {
  // RESTIC_SFTP_USER becomes oneadmin when empty: that default is no SFTP value typed for S3.
  checkBackendFields(v, ctx, { RESTIC_SFTP_USER: 'oneadmin' });
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
