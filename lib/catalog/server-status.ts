import 'server-only';
import { localResticBinary, resticBinary } from '@/lib/restic';
import type { DatastoreAccess } from './access';

// Whether a datastore's backup server answers, and with which restic. For an S3 datastore the
// "server" is the bucket (host: s3:<endpoint>/<bucket>, user: S3) and restic is Backstone's own.

type Place = { backend: 'sftp' | 's3'; host: string; user: string };

export type ServerStatus =
  | (Place & { reachable: true; resticVersion: string; resticPath: string; syncedBinary: boolean })
  | (Place & { reachable: false; message: string });

/** Who and where, as the status names them. */
function placeOf(access: DatastoreAccess): Place {
  if (access.backend === 's3')
    return { backend: 's3', host: `s3:${access.s3.endpoint}/${access.s3.bucket}`, user: 'S3' };
  return { backend: 'sftp', host: access.server.host, user: access.server.user ?? 'oneadmin' };
}

export function unreachableServer(access: DatastoreAccess, message: string): ServerStatus {
  return { reachable: false, ...placeOf(access), message };
}

export async function serverStatus(access: DatastoreAccess): Promise<ServerStatus> {
  try {
    const bin = await (access.backend === 's3' ? localResticBinary() : resticBinary(access.server));
    return {
      reachable: true,
      ...placeOf(access),
      resticVersion: bin.version,
      resticPath: bin.path,
      syncedBinary: bin.synced,
    };
  } catch (err) {
    return unreachableServer(access, err instanceof Error ? err.message : 'unknown error');
  }
}
