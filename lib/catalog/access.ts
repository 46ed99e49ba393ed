import 'server-only';
import { posix } from 'node:path';
import { ExpectedError } from '@/lib/errors/expected-error';
import { getDatastoreDecrypted, type DecryptedDatastore } from '@/lib/opennebula';
import { repoOptionsFromTemplate, s3Repo, type ResticRepo, type S3ResticRepo, type SftpResticRepo } from '@/lib/restic';
import { serverKey, type SshTarget } from '@/lib/exec';
import {
  missingS3Attributes,
  NotYetForS3,
  resticBackendOf,
  s3LimitTarget,
  s3SettingsFromTemplate,
  type S3Settings,
} from '@/lib/s3';
import { openNebulaObjectWithin, type Bounded } from './shared-reads';

// How Backstone reaches a restic datastore's repositories, by its RESTIC_BACKEND: as
// RESTIC_SFTP_USER on RESTIC_SFTP_SERVER under BASE_PATH (SFTP), or in the RESTIC_S3_BUCKET of an
// S3 endpoint with restic run where Backstone runs (S3, OpenNebula 7.4+). Either way with the
// datastore's password. The decrypted datastore is read with the service identity, only after the
// guard allowed the request; the password and the S3 keys stay on the server side.

export type SftpAccess = {
  backend: 'sftp';
  datastore: DecryptedDatastore;
  server: SshTarget;
  /** BASE_PATH as the driver uses it (Pathname#cleanpath: oned writes "//datastores"). */
  basePath: string;
  repo: (name: string) => SftpResticRepo;
};

export type S3Access = {
  backend: 's3';
  datastore: DecryptedDatastore;
  /** The bucket's settings, keys included: never sent to a page. */
  s3: S3Settings;
  repo: (name: string) => S3ResticRepo;
};

export type DatastoreAccess = SftpAccess | S3Access;

/** What only SFTP datastores have yet: S3 ones are refused with a clear error, and nothing runs. */
export function sftpOnly(access: DatastoreAccess, what: string): SftpAccess {
  if (access.backend === 's3') throw new NotYetForS3(what);
  return access;
}

/** What a datastore's work counts against: its backup server, or (S3) its endpoint, as lib/restic counts. */
export function limitTargetOf(access: DatastoreAccess): Pick<SshTarget, 'host' | 'port' | 'user'> {
  return access.backend === 's3' ? s3LimitTarget(access.s3) : access.server;
}

/** The job runner's per-server key of a datastore's jobs (the same server restic's limits count). */
export function accessServerKey(access: DatastoreAccess): string {
  return serverKey(limitTargetOf(access));
}

/** A repository of either backend (the verbs of lib/restic take both). */
export type AnyRepo = ResticRepo;

/** The datastore is not a restic Backup Datastore (or lacks its server): nothing here to read. */
export class NotAResticDatastore extends ExpectedError {
  override name = 'NotAResticDatastore';
  readonly kind = 'conflict';
}

export function isResticBackupDatastore(ds: { type: string; dsMad: string }): boolean {
  return ds.type === 'BACKUP_DS' && ds.dsMad === 'restic';
}

/** The backup server a restic datastore's template names (the driver's default account: oneadmin). */
export function backupServerOf(ds: { template: Record<string, string> }): SshTarget | undefined {
  if (resticBackendOf(ds.template) !== 'SFTP') return undefined;
  const host = ds.template.RESTIC_SFTP_SERVER;
  return host ? { kind: 'ssh', host, user: ds.template.RESTIC_SFTP_USER || 'oneadmin' } : undefined;
}

export function accessFrom(ds: DecryptedDatastore): DatastoreAccess {
  if (!isResticBackupDatastore(ds))
    throw new NotAResticDatastore(`Datastore ${ds.id} is not a restic backup datastore.`);
  const backend = resticBackendOf(ds.template);
  if (!backend)
    throw new NotAResticDatastore(
      `Datastore ${ds.id} has RESTIC_BACKEND="${ds.template.RESTIC_BACKEND ?? ''}"; OpenNebula knows only SFTP and S3.`,
    );
  if (backend === 'S3') return s3AccessFrom(ds);
  const server = backupServerOf(ds);
  if (!server) throw new NotAResticDatastore(`Datastore ${ds.id} has no RESTIC_SFTP_SERVER.`);
  const password = ds.resticPassword ?? '';
  const basePath = posix.normalize(ds.basePath).replace(/\/+$/, '');
  const options = repoOptionsFromTemplate(ds.template);
  return {
    backend: 'sftp',
    datastore: ds,
    server,
    basePath,
    repo: (name) => ({ server, path: `${basePath}/${name}`, password, options }),
  };
}

function s3AccessFrom(ds: DecryptedDatastore): S3Access {
  const missing = missingS3Attributes(ds.template, ds.secrets);
  if (missing.length > 0)
    throw new NotAResticDatastore(`S3 datastore ${ds.id} lacks ${missing.join(', ')} in its template.`);
  const s3 = s3SettingsFromTemplate(ds.template, ds.secrets);
  const password = ds.resticPassword ?? '';
  const options = repoOptionsFromTemplate(ds.template);
  return { backend: 's3', datastore: ds, s3, repo: (name) => s3Repo(s3, name, password, options) };
}

export async function datastoreAccess(id: number): Promise<DatastoreAccess> {
  return accessFrom(await getDatastoreDecrypted({ kind: 'service' }, id));
}

/**
 * datastoreAccess for a page's read, within the pages' bound: from the last decrypted datastore
 * read (stale, with its age) or StillReading while oned is slow. Kept in this process's memory only,
 * as the CLI's own read cache keeps it; writes and jobs use datastoreAccess and wait for oned.
 */
export async function datastoreAccessWithin(
  id: number,
  opts: { answerWithinMs?: number; signal?: AbortSignal } = {},
): Promise<Bounded<DatastoreAccess>> {
  const { value, freshness } = await openNebulaObjectWithin(
    `datastore-decrypted\0${id}`,
    () => getDatastoreDecrypted({ kind: 'service' }, id),
    { what: `datastore ${id}`, ...opts },
  );
  return { value: accessFrom(value), freshness };
}
