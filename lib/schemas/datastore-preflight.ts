import { z } from 'zod';
import { checkBackendFields, DatastoreWizardFields } from './datastore-wizard';

// What the wizard's "Check backup server" step sends and gets back. The password is not part of
// it: the checks need only the server, the account and, for slice limits, the cluster's hosts.

/** The backup server, required here (the wizard's schema requires it for SFTP only). */
const SftpServer = DatastoreWizardFields.shape.RESTIC_SFTP_SERVER.refine((v) => v !== '', {
  message: 'Enter the backup server.',
});

export const PreflightRequestSchema = DatastoreWizardFields.pick({
  RESTIC_SFTP_USER: true,
  cluster: true,
  RESTIC_MAX_RIOPS: true,
  RESTIC_MAX_WIOPS: true,
  RESTIC_CPU_QUOTA: true,
  RESTIC_MEMORY_MAX_MB: true,
}).extend({ RESTIC_SFTP_SERVER: SftpServer });

export type PreflightRequest = z.input<typeof PreflightRequestSchema>;

export const TrustHostKeySchema = z.object({
  RESTIC_SFTP_SERVER: SftpServer,
  fingerprint: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'Not an SSH key fingerprint.'),
});

/** The S3 step's check: the bucket's settings, the secret key included (it is needed to sign in). */
export const S3PreflightRequestSchema = DatastoreWizardFields.pick({
  RESTIC_S3_ENDPOINT: true,
  RESTIC_S3_BUCKET: true,
  RESTIC_S3_ACCESS_KEY_ID: true,
  RESTIC_S3_SECRET_ACCESS_KEY: true,
  RESTIC_S3_REGION: true,
  RESTIC_S3_FORCE_PATH_STYLE: true,
  RESTIC_S3_CACERT: true,
  RESTIC_S3_INSECURE_TLS: true,
}).superRefine((v, ctx) => checkBackendFields({ ...v, RESTIC_BACKEND: 'S3' }, ctx, {}));

export type S3PreflightRequest = z.input<typeof S3PreflightRequestSchema>;

/** The S3 fields the check needs, from the wizard's values (form strings). */
export const S3_PREFLIGHT_FIELDS = [
  'RESTIC_S3_ENDPOINT',
  'RESTIC_S3_BUCKET',
  'RESTIC_S3_ACCESS_KEY_ID',
  'RESTIC_S3_SECRET_ACCESS_KEY',
  'RESTIC_S3_REGION',
  'RESTIC_S3_FORCE_PATH_STYLE',
  'RESTIC_S3_CACERT',
  'RESTIC_S3_INSECURE_TLS',
] as const;

export type CheckStatus = 'pass' | 'warn' | 'fail';
export type ReportCheck = {
  id: string;
  label: string;
  status: CheckStatus;
  detail: string;
  fix?: string;
  /** A value the fix needs, shown with a copy button (Backstone's public key). */
  copy?: { label: string; value: string };
};

export type PreflightReport = {
  server: string;
  user: string;
  /** What was checked, in words, when not user@server (an S3 bucket: s3:<endpoint>/<bucket>). */
  target?: string;
  /** Set when the server's host key is not pinned yet: the admin must compare and trust it. */
  unknownHostKey?: { host: string; fingerprint: string };
  checks: ReportCheck[];
  /** Cgroup delegation on each host of the cluster, when a slice limit is set. */
  hosts: { host: string; checks: ReportCheck[] }[];
};

export function worstStatus(checks: readonly ReportCheck[]): CheckStatus {
  if (checks.some((c) => c.status === 'fail')) return 'fail';
  return checks.some((c) => c.status === 'warn') ? 'warn' : 'pass';
}
