// Where the sandbox front-end keeps its files, all under the sandbox state folder.
import { join } from 'node:path';
import { sandboxPaths } from '../common/state';

export type FrontendPaths = ReturnType<typeof frontendPaths>;

export function frontendPaths(stateDir: string) {
  const base = sandboxPaths(stateDir);
  const one = join(base.state, 'opennebula');
  return {
    ...base,
    one,
    db: join(one, 'one.db.json'),
    lock: join(one, 'one.db.lock'),
    oneKey: join(one, 'one_key'),
    binDir: join(one, 'bin'),
    bundle: join(one, 'lib', 'one-cli.cjs'),
    logDir: join(one, 'log'),
    jobsDir: join(one, 'jobs'),
    authDir: join(one, 'auth'),
    /** What a hypervisor's oneadmin uses to reach the backup server (the driver forwards an agent). */
    hvDir: join(one, 'hypervisor-ssh'),
    hvSshConfig: join(one, 'hypervisor-ssh', 'ssh_config'),
    hvIdentity: join(one, 'hypervisor-ssh', 'id_ed25519'),
    hvKnownHosts: join(one, 'hypervisor-ssh', 'known_hosts'),
    /** Front-end VERSION, synced to the backup server by the monitor as OpenNebula does. */
    version: join(one, 'VERSION'),
    /** DATASTORE_LOCATION of the sandbox: the backup server's datastores root. */
    datastoreLocation: base.datastoresRoot,
  };
}
