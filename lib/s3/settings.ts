// An S3 restic datastore's RESTIC_S3_* attributes, read with the driver's defaults (OpenNebula
// 7.4, Restic::S3), and the two addresses built from them: restic's repository URL and the
// endpoint an S3 client connects to. Pure: no I/O, no secrets logged.

export type S3Settings = {
  /** RESTIC_S3_ENDPOINT as the driver keeps it: trailing slashes and an `s3:` prefix removed. */
  endpoint: string;
  bucket: string;
  region: string;
  pathStyle: boolean;
  /** A CA bundle file on Backstone's machine (RESTIC_S3_CACERT). */
  caCert?: string;
  insecureTls: boolean;
  accessKeyId: string;
  secretAccessKey: string;
};

export const DEFAULT_S3_ENDPOINT = 's3.amazonaws.com';
export const DEFAULT_S3_REGION = 'us-east-1';
/** The monitor's TOTAL_MB default for S3 datastores (1 TiB). */
export const DEFAULT_S3_TOTAL_MB = 1_048_576;

type Attrs = Readonly<Record<string, string | undefined>>;

/** The driver's backend: RESTIC_BACKEND upper-cased, SFTP when absent (7.2 and earlier). */
export function resticBackendOf(t: Attrs): 'SFTP' | 'S3' | undefined {
  const b = (t.RESTIC_BACKEND ?? '').trim().toUpperCase() || 'SFTP';
  return b === 'SFTP' || b === 'S3' ? b : undefined;
}

/** Trailing slashes stripped and an `s3:` prefix removed, as the driver does. */
export function normalizeEndpoint(raw: string | undefined): string {
  const e = (raw ?? '').trim().replace(/^s3:/i, '').replace(/\/+$/, '');
  return e || DEFAULT_S3_ENDPOINT;
}

const yes = (v: string | undefined) => (v ?? '').trim().toLowerCase() === 'yes';

/** Names the required attributes that are missing (the driver fails on each of them). */
export function missingS3Attributes(t: Attrs, secrets: Attrs = {}): string[] {
  return ['RESTIC_S3_BUCKET', 'RESTIC_S3_ACCESS_KEY_ID', 'RESTIC_S3_SECRET_ACCESS_KEY'].filter(
    (n) => !(secrets[n] ?? t[n])?.trim(),
  );
}

/**
 * Settings from a datastore template. The secret key may be an encrypted attribute (then it is
 * among the decrypted secrets) or a plain one, depending on oned.conf's DATASTORE_ENCRYPTED_ATTR.
 */
export function s3SettingsFromTemplate(t: Attrs, secrets: Attrs = {}): S3Settings {
  const get = (n: string) => (secrets[n] ?? t[n] ?? '').trim();
  return {
    endpoint: normalizeEndpoint(t.RESTIC_S3_ENDPOINT),
    bucket: get('RESTIC_S3_BUCKET'),
    region: get('RESTIC_S3_REGION') || DEFAULT_S3_REGION,
    pathStyle: yes(t.RESTIC_S3_FORCE_PATH_STYLE),
    caCert: t.RESTIC_S3_CACERT?.trim() || undefined,
    insecureTls: yes(t.RESTIC_S3_INSECURE_TLS),
    accessKeyId: get('RESTIC_S3_ACCESS_KEY_ID'),
    secretAccessKey: get('RESTIC_S3_SECRET_ACCESS_KEY'),
  };
}

/** The endpoint carries its own scheme (`http://host:port`); otherwise restic uses HTTPS. */
function hasScheme(endpoint: string): boolean {
  return /^https?:\/\//i.test(endpoint);
}

/** The endpoint as a URL an S3 client connects to (HTTPS unless the endpoint says otherwise). */
export function endpointUrl(s: Pick<S3Settings, 'endpoint'>): string {
  return hasScheme(s.endpoint) ? s.endpoint : `https://${s.endpoint}`;
}

/**
 * The S3 endpoint as the one place a datastore's restic runs and downloads count against limits
 * (lib/restic's slots, the job runner, download slots): every bucket of one endpoint shares it.
 */
export function s3LimitTarget(s: Pick<S3Settings, 'endpoint'>): { host: string } {
  return { host: `s3:${s.endpoint}` };
}

/** `s3:<endpoint>/<bucket>/<repo>`, exactly the driver's repository (no datastore ID in it). */
export function resticRepositoryUrl(s: Pick<S3Settings, 'endpoint' | 'bucket'>, repo: string): string {
  return `s3:${s.endpoint}/${s.bucket}/${repo}`;
}

/** The restic options the driver adds for S3, on every command. */
export function s3ResticOptions(s: Pick<S3Settings, 'pathStyle' | 'caCert' | 'insecureTls'>): string[] {
  const out: string[] = [];
  if (s.pathStyle) out.push('--option=s3.bucket-lookup=path');
  // The driver deletes quotes from option values.
  if (s.caCert) out.push(`--cacert=${s.caCert.replace(/["']/g, '')}`);
  if (s.insecureTls) out.push('--insecure-tls');
  return out;
}

/** A repository's name in the bucket: a VM ID or job_<Backup Job ID>. */
export const REPOSITORY_NAME = /^(?:\d+|job_\d+)$/;

/** Where Backstone's own objects go (write probes): never a repository's name. */
export const BACKSTONE_PREFIX = '.backstone/';

/** An AWS shared-credentials file's text for one profile (for restic, in a 0600 file). */
export function sharedCredentialsText(profile: string, s: Pick<S3Settings, 'accessKeyId' | 'secretAccessKey'>) {
  for (const v of [profile, s.accessKeyId, s.secretAccessKey])
    if (/[\r\n]/.test(v)) throw new TypeError('a credential holds a line break');
  return `[${profile}]\naws_access_key_id = ${s.accessKeyId}\naws_secret_access_key = ${s.secretAccessKey}\n`;
}
