import type { SshTarget } from './types';

// Which server a connection, a limit or a cache entry belongs to. One spelling for every per-server
// count (SSH connections, restic slots, jobs, downloads) and every per-server cache, so they all
// agree on what one server is: the SSH account, the host (or ssh_config alias) and the port, as the
// target names them. Two targets that differ only by port are two servers.

export function serverKey(target: Pick<SshTarget, 'host' | 'port' | 'user'>): string {
  return `${target.user ?? ''}@${target.host}:${target.port ?? ''}`;
}
