import 'server-only';
import type { SshTarget } from '@/lib/exec';
import { resticBinary } from '@/lib/restic';
import type { DatastoreAccess } from './access';

// Whether a datastore's backup server answers, and with which restic.

export type ServerStatus =
  | { reachable: true; host: string; user: string; resticVersion: string; resticPath: string; syncedBinary: boolean }
  | { reachable: false; host: string; user: string; message: string };

export function unreachableServer(server: SshTarget, message: string): ServerStatus {
  return { reachable: false, host: server.host, user: server.user ?? 'oneadmin', message };
}

export async function serverStatus(access: DatastoreAccess): Promise<ServerStatus> {
  const { host, user = 'oneadmin' } = access.server;
  try {
    const bin = await resticBinary(access.server);
    return { reachable: true, host, user, resticVersion: bin.version, resticPath: bin.path, syncedBinary: bin.synced };
  } catch (err) {
    return unreachableServer(access.server, err instanceof Error ? err.message : 'unknown error');
  }
}
