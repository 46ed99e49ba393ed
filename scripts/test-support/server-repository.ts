// An isolated backup server with Backstone's configuration pointed at it and one initialised
// restic repository (datastore 100, VM 42): the world of the catalog's snapshot-read tests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resetConfigCache } from '@/lib/config';
import { closeSshConnections, execOk, type SshTarget } from '@/lib/exec';
import { DEFAULT_REPO_OPTIONS, type ResticRepo } from '@/lib/restic';
import { startIsolatedBackupServer, type IsolatedBackupServer } from '@/sandbox/backup-server/test-server';
import { cheapenKeyOn } from './cheap-key';

export type ServerRepository = { server: IsolatedBackupServer; local: string; target: SshTarget; repo: ResticRepo };

export async function startServerRepository(name: string, password: string): Promise<ServerRepository> {
  const server = await startIsolatedBackupServer();
  const local = mkdtempSync(join(tmpdir(), `backstone-${name}-int-`));
  process.env.BACKSTONE_SSH_CONFIG = server.info.sshConfig;
  process.env.BACKSTONE_SSH_IDENTITY = server.info.identity;
  process.env.BACKSTONE_SSH_KNOWN_HOSTS = server.info.knownHosts;
  process.env.BACKSTONE_REMOTE_ROOT = server.info.root;
  process.env.BACKSTONE_DATA_DIR = join(local, 'data');
  resetConfigCache();
  const target: SshTarget = { kind: 'ssh', host: server.info.name };
  const repo: ResticRepo = {
    server: target,
    path: join(server.info.datastoresRoot, '100', '42'),
    password,
    options: DEFAULT_REPO_OPTIONS,
  };
  await execOk(target, ['restic', '--password-file=/dev/stdin', `--repo=${repo.path}`, 'init'], { stdin: password });
  // As the sandbox's driver does: a key at a cheap scrypt cost, so each restic opens it in milliseconds.
  await cheapenKeyOn(target, repo.path, password);
  return { server, local, target, repo };
}

export async function stopServerRepository(world: ServerRepository | undefined): Promise<void> {
  await closeSshConnections();
  await world?.server.stop();
  if (world?.local) rmSync(world.local, { recursive: true, force: true });
}

/** `restic backup` of `paths` on the server into the repository, tagged as VM 42's; the new snapshot's ID. */
export async function backupOnServer(world: ServerRepository, paths: string[]): Promise<string> {
  const out = await execOk(
    world.target,
    ['restic', '--password-file=/dev/stdin', `--repo=${world.repo.path}`, 'backup', '--json', '--tag=one-42', ...paths],
    { stdin: world.repo.password, timeoutMs: 120_000 },
  );
  const summary = out.stdout
    .split('\n')
    .filter((l) => l.includes('"summary"'))
    .pop()!;
  return (JSON.parse(summary) as { snapshot_id: string }).snapshot_id;
}
