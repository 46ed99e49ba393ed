import 'server-only';
import { localResticBinary, resticBinary } from '@/lib/restic';
import type { DatastoreAccess } from './access';

// Whether a datastore's backup server answers, and with which restic. For an S3 datastore the
// "server" is the bucket (host: s3:<endpoint>/<bucket>, user: S3) and restic is Backstone's own.

export type ServerStatus =
  | { reachable: true; host: string; user: string; resticVersion: string; resticPath: string; syncedBinary: boolean }
  | { reachable: false; host: string; user: string; message: string };

/** Who and where, as the status names them. */
function placeOf(access: DatastoreAccess): { host: string; user: string } {
  if (access.backend === 's3') return { host: `s3:${access.s3.endpoint}/${access.s3.bucket}`, user: 'S3' };
  return { host: access.server.host, user: access.server.user ?? 'oneadmin' };
}

export function unreachableServer(access: DatastoreAccess, message: string): ServerStatus {
  return { reachable: false, ...placeOf(access), message };
}

export async function serverStatus(access: DatastoreAccess): Promise<ServerStatus> {
  const { host, user } = placeOf(access);
  try {
    const bin = await (access.backend === 's3' ? localResticBinary() : resticBinary(access.server));
    return { reachable: true, host, user, resticVersion: bin.version, resticPath: bin.path, syncedBinary: bin.synced };
  } catch (err) {
    return unreachableServer(access, err instanceof Error ? err.message : 'unknown error');
  }
}
