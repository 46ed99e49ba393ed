// Where a sandbox keeps its files. Every path derives from one state folder, so tests can run
// isolated sandboxes side by side.
import { resolve, join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

export function defaultStateDir(): string {
  return resolve(process.env.BACKSTONE_SANDBOX_DIR ?? join(repoRoot, '.sandbox'));
}

export type SandboxPaths = ReturnType<typeof sandboxPaths>;

export function sandboxPaths(stateDir: string) {
  const state = resolve(stateDir);
  const server = join(state, 'backup-server');
  const client = join(state, 'client');
  const root = join(state, 'root');
  return {
    state,
    infoFile: join(state, 'info.json'),
    pidsDir: join(state, 'pids'),
    server,
    sshdConfig: join(server, 'sshd_config'),
    hostKey: join(server, 'ssh_host_ed25519_key'),
    authorizedKeys: join(server, 'authorized_keys'),
    sshdLog: join(server, 'sshd.log'),
    client,
    identity: join(client, 'id_ed25519'),
    knownHosts: join(client, 'known_hosts'),
    sshConfig: join(client, 'ssh_config'),
    /** The backup server's filesystem root: what is /var/... on a real server lives under it. */
    root,
    datastoresRoot: join(root, 'var', 'lib', 'one', 'datastores'),
    oneHome: join(root, 'var', 'lib', 'one'),
    remotesDir: join(root, 'var', 'tmp', 'one'),
    syncedRestic: join(root, 'var', 'tmp', 'one', 'datastore', 'restic', 'restic'),
    tmpDir: join(root, 'var', 'tmp'),
    /** First on the backup account's PATH in SSH sessions. */
    binDir: join(root, 'usr', 'local', 'bin'),
  };
}
