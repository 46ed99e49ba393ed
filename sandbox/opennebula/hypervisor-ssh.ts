// What the hypervisors' oneadmin uses to reach the backup server over sftp. OpenNebula forwards the
// front-end's ssh-agent; the sandbox gives the account its own copy of the client key instead.
import { chmodSync, chownSync, copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { HYPERVISOR_HOSTS } from '../backup-server/keys';
import { hostEntryLines } from '../common/ssh-client-config';
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
    ...hostEntryLines({
      hosts: [server.name, ...HYPERVISOR_HOSTS],
      port: server.port,
      user: server.account,
      identity: paths.hvIdentity,
      knownHosts: paths.hvKnownHosts,
    }),
    '',
  ].join('\n');
  writeFileSync(paths.hvSshConfig, config, { mode: 0o644 });
  if (cfg.switchUser)
    for (const f of [paths.hvIdentity, paths.hvKnownHosts, paths.hvSshConfig])
      chownSync(f, cfg.account.uid, cfg.account.gid);
}
