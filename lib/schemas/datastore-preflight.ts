import { z } from 'zod';
import { DatastoreWizardFields } from './datastore-wizard';

// What the wizard's "Check backup server" step sends and gets back. The password is not part of
// it: the checks need only the server, the account and, for slice limits, the cluster's hosts.

export const PreflightRequestSchema = DatastoreWizardFields.pick({
  RESTIC_SFTP_SERVER: true,
  RESTIC_SFTP_USER: true,
  cluster: true,
  RESTIC_MAX_RIOPS: true,
  RESTIC_MAX_WIOPS: true,
  RESTIC_CPU_QUOTA: true,
  RESTIC_MEMORY_MAX_MB: true,
});

export type PreflightRequest = z.input<typeof PreflightRequestSchema>;

export const TrustHostKeySchema = DatastoreWizardFields.pick({ RESTIC_SFTP_SERVER: true }).extend({
  fingerprint: z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'Not an SSH key fingerprint.'),
});

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
