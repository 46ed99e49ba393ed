// What the hypervisors' oneadmin uses to reach the backup server over sftp. OpenNebula forwards the
// front-end's ssh-agent; the sandbox gives the account its own copy of the client key instead.
import { chmodSync, chownSync, copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { HYPERVISOR_HOSTS } from '../backup-server/keys';
import type { BackupServerInfo } from '../common/info';
import type { FrontendPaths } from './paths';
import type { FrontendConfig } from './config';

export function writeHypervisorSsh(paths: FrontendPaths, server: BackupServerInfo, cfg: FrontendConfig): void {
  mkdirSync(paths.hvDir, { recursive: true, mode: 0o755 });
  chmodSync(paths.hvDir, 0o755);
  copyFileSync(paths.identity, paths.hvIdentity);
  chmodSync(paths.hvIdentity, 0o600);
  copyFileSync(paths.knownHosts, paths.hvKnownHosts);
  chmodSync(paths.hvKnownHosts, 0o644);
  const config = [
    "# Written by the Backstone sandbox front-end for the hypervisors' oneadmin.",
    `Host ${[server.name, ...HYPERVISOR_HOSTS].join(' ')}`,
    '  HostName 127.0.0.1',
    `  Port ${server.port}`,
    `  User ${server.account}`,
    `  IdentityFile ${paths.hvIdentity}`,
    '  IdentitiesOnly yes',
    `  UserKnownHostsFile ${paths.hvKnownHosts}`,
    '  StrictHostKeyChecking yes',
    '  BatchMode yes',
    '',
  ].join('\n');
  writeFileSync(paths.hvSshConfig, config, { mode: 0o644 });
  if (cfg.switchUser)
    for (const f of [paths.hvIdentity, paths.hvKnownHosts, paths.hvSshConfig])
      chownSync(f, cfg.account.uid, cfg.account.gid);
}
