// Host key, client key, known_hosts and the OpenSSH client config of a sandbox backup server.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { runOk } from '../common/process';
import { hostEntryLines } from '../common/ssh-client-config';

export async function ensureKeyPair(path: string, comment: string): Promise<void> {
  if (existsSync(path) && existsSync(`${path}.pub`)) return;
  await runOk('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path]);
}

/** "ssh-ed25519 AAAA..." of a public key file (comment dropped). */
export function publicKeyLine(pubPath: string): string {
  const [type, blob] = readFileSync(pubPath, 'utf8').trim().split(/\s+/);
  if (!type || !blob) throw new Error(`malformed public key ${pubPath}`);
  return `${type} ${blob}`;
}

/** OpenSSH's "SHA256:..." fingerprint of a public key line. */
export function fingerprint(keyLine: string): string {
  const blob = keyLine.split(/\s+/)[1] ?? '';
  return `SHA256:${createHash('sha256').update(Buffer.from(blob, 'base64')).digest('base64').replace(/=+$/, '')}`;
}

/**
 * The sandbox's hypervisor hosts. They are names for the same local sshd (the one machine plays
 * front-end, hypervisors and backup server), so the OpenNebula front-end can reach "a host" by
 * name over SSH exactly as its drivers do.
 */
export const HYPERVISOR_HOSTS = ['kvm-node-1', 'kvm-node-2'] as const;

export type ClientFiles = {
  name: string;
  port: number;
  account: string;
  identity: string;
  knownHosts: string;
  sshConfig: string;
  hostKeyLine: string;
};

/** known_hosts names the server both by its sandbox name and by 127.0.0.1, with the port. */
export function writeClientFiles(f: ClientFiles): void {
  const names = [f.name, ...HYPERVISOR_HOSTS, '127.0.0.1'].map((n) => `[${n}]:${f.port}`).join(',');
  writeFileSync(f.knownHosts, `${names} ${f.hostKeyLine}\n`, { mode: 0o644 });
  const config = [
    `# Written by the Backstone sandbox: maps ${f.name} to its sshd on 127.0.0.1.`,
    ...hostEntryLines({
      hosts: [f.name, ...HYPERVISOR_HOSTS],
      port: f.port,
      user: f.account,
      identity: f.identity,
      knownHosts: f.knownHosts,
      connectTimeoutSeconds: 10,
    }),
    '',
  ].join('\n');
  writeFileSync(f.sshConfig, config, { mode: 0o644 });
}
