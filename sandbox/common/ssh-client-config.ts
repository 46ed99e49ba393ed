// The sandbox's SSH client config for one host entry, written the same way for the front-end's
// root, the hypervisors' oneadmin and extra aliases.

export type HostEntry = {
  hosts: readonly string[];
  port: number;
  user: string;
  identity: string;
  knownHosts: string;
  connectTimeoutSeconds?: number;
};

export function hostEntryLines(e: HostEntry): string[] {
  return [
    `Host ${e.hosts.join(' ')}`,
    '  HostName 127.0.0.1',
    `  Port ${e.port}`,
    `  User ${e.user}`,
    `  IdentityFile ${e.identity}`,
    '  IdentitiesOnly yes',
    `  UserKnownHostsFile ${e.knownHosts}`,
    '  StrictHostKeyChecking yes',
    '  BatchMode yes',
    // Not OpenSSH 9's default sntrup761x25519 hybrid: generating its key costs ~60 ms of CPU per
    // connection, and the simulated driver opens thousands in a test run. Backstone's own SSH
    // client negotiates its own algorithms with the same sshd.
    '  KexAlgorithms curve25519-sha256,curve25519-sha256@libssh.org',
    ...(e.connectTimeoutSeconds ? [`  ConnectTimeout ${e.connectTimeoutSeconds}`] : []),
  ];
}
