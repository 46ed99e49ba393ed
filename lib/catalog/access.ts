import 'server-only';
import { posix } from 'node:path';
import { ExpectedError } from '@/lib/errors/expected-error';
import { getDatastoreDecrypted, type DecryptedDatastore } from '@/lib/opennebula';
import { repoOptionsFromTemplate, type ResticRepo } from '@/lib/restic';
import type { SshTarget } from '@/lib/exec';
import { openNebulaObjectWithin, type Bounded } from './shared-reads';

// How Backstone reaches a restic datastore's repositories: as RESTIC_SFTP_USER on
// RESTIC_SFTP_SERVER, under BASE_PATH, with the datastore's password. The decrypted datastore is
// read with the service identity, only after the guard allowed the request; the password stays on
// the server side.

export type DatastoreAccess = {
  datastore: DecryptedDatastore;
  server: SshTarget;
  /** BASE_PATH as the driver uses it (Pathname#cleanpath: oned writes "//datastores"). */
  basePath: string;
  repo: (name: string) => ResticRepo;
};

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
  const host = ds.template.RESTIC_SFTP_SERVER;
  return host ? { kind: 'ssh', host, user: ds.template.RESTIC_SFTP_USER || 'oneadmin' } : undefined;
}

export function accessFrom(ds: DecryptedDatastore): DatastoreAccess {
  if (!isResticBackupDatastore(ds))
    throw new NotAResticDatastore(`Datastore ${ds.id} is not a restic backup datastore.`);
  const server = backupServerOf(ds);
  if (!server) throw new NotAResticDatastore(`Datastore ${ds.id} has no RESTIC_SFTP_SERVER.`);
  const password = ds.resticPassword ?? '';
  const basePath = posix.normalize(ds.basePath).replace(/\/+$/, '');
  const options = repoOptionsFromTemplate(ds.template);
  return {
    datastore: ds,
    server,
    basePath,
    repo: (name) => ({ server, path: `${basePath}/${name}`, password, options }),
  };
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
