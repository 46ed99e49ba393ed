// Makes a second sandbox backup server reachable under a name in another sandbox's SSH client
// config, the way an admin adds a new server: the name resolves, the client key is authorized
// there, and its host key is NOT pinned (so the first connection meets an unknown host key).
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { publicKeyLine } from './keys';
import { sandboxPaths } from '../common/state';
import { readInfo } from '../common/info';
import { hostEntryLines } from '../common/ssh-client-config';

function block(alias: string): RegExp {
  const name = alias.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`# begin ${name}\\n[\\s\\S]*?# end ${name}\\n`, 'g');
}

/** Adds (or replaces) `alias` in the client config of `clientStateDir`, pointing at the server of `serverStateDir`. */
export function addServerAlias(clientStateDir: string, alias: string, serverStateDir: string): void {
  if (!/^[A-Za-z0-9.-]+$/.test(alias)) throw new Error(`not a host name: ${alias}`);
  const client = sandboxPaths(clientStateDir);
  const serverPaths = sandboxPaths(serverStateDir);
  const server = readInfo(serverPaths).backupServer;
  if (!server) throw new Error(`no backup server in ${serverStateDir}`);
  appendFileSync(serverPaths.authorizedKeys, `${publicKeyLine(`${client.identity}.pub`)}\n`);
  const config = readFileSync(client.sshConfig, 'utf8').replace(block(alias), '');
  const entry = [
    `# begin ${alias}`,
    ...hostEntryLines({
      hosts: [alias],
      port: server.port,
      user: server.account,
      identity: client.identity,
      knownHosts: client.knownHosts,
    }),
    `# end ${alias}`,
    '',
  ].join('\n');
  writeFileSync(client.sshConfig, config + entry, { mode: 0o644 });
}

/** Takes `alias` out of the client config again. */
export function removeServerAlias(clientStateDir: string, alias: string): void {
  const client = sandboxPaths(clientStateDir);
  writeFileSync(client.sshConfig, readFileSync(client.sshConfig, 'utf8').replace(block(alias), ''), { mode: 0o644 });
}
