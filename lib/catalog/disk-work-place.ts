import 'server-only';
import { posix } from 'node:path';
import { getConfig } from '@/lib/config';
import { LOCAL, type Target } from '@/lib/exec';
import type { DatastoreAccess } from './access';

// Where work that writes whole disks (a restore onto disk, a disk flattened for download) runs:
// beside the datastore's restic. For SFTP that is the backup server, under the datastore's
// RESTIC_TMP_DIR as the driver's own restores; for S3 restic runs on Backstone's machine (as the
// driver runs it on the front-end), under BACKSTONE_LOCAL_RESTORE_DIR.

export type DiskWorkPlace = {
  target: Target;
  /** The folder the work may write under, and nowhere else. */
  base: string;
  /** How messages name the place. */
  where: string;
};

/** RESTIC_TMP_DIR (default /var/tmp) on the backup server, kept under the remote root whatever it says. */
export function resticTmpDir(template: Record<string, string>): string {
  const dir = template.RESTIC_TMP_DIR?.trim() || '/var/tmp';
  // No trailing slash: targets are checked to sit directly under this folder.
  return posix.join(getConfig().remoteRoot, posix.normalize(`/${dir}`)).replace(/(?<=.)\/+$/, '');
}

/** The only place disk work for S3 datastores may write, on Backstone's machine. */
export function localRestoreBase(): string {
  return getConfig().localRestoreDir;
}

export function diskWorkPlace(access: DatastoreAccess): DiskWorkPlace {
  if (access.backend === 's3') return { target: LOCAL, base: localRestoreBase(), where: "Backstone's machine" };
  return { target: access.server, base: resticTmpDir(access.datastore.template), where: 'the backup server' };
}
