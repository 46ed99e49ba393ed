// The sandbox backup server: a real sshd on 127.0.0.1 as the backup account, a datastores root laid
// out as on a real server, and real restic where OpenNebula syncs it.
import {
  chmodSync,
  chownSync,
  copyFileSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { ensureBackupAccount, isRoot, type Account } from '../common/account';
import { freePort } from '../common/net';
import { runningPid, writePid } from '../common/pids';
import { resticBinary, resticVersionOf, type ResticVersion } from '../common/restic-binaries';
import { sandboxPaths, type SandboxPaths } from '../common/state';
import { ensureKeyPair, fingerprint, publicKeyLine, writeClientFiles } from './keys';
import { startSshd } from './sshd';
import { mirrorSystemPath } from './tools';
import { readInfo, updateInfo, type BackupServerInfo } from '../common/info';
import { runOk } from '../common/process';

export const BACKUP_SERVER_NAME = 'backup.sandbox';

export type StartOptions = { resticVersion?: ResticVersion };

function own(path: string, account: Account): void {
  if (isRoot()) chownSync(path, account.uid, account.gid);
}

function makeDir(path: string, mode: number, account?: Account): void {
  mkdirSync(path, { recursive: true, mode });
  chmodSync(path, mode);
  if (account) own(path, account);
}

function layOutRoot(paths: SandboxPaths, account: Account): void {
  makeDir(paths.root, 0o755);
  for (const d of ['var', 'var/lib', 'usr', 'usr/local']) makeDir(`${paths.root}/${d}`, 0o755);
  makeDir(paths.tmpDir, 0o1777);
  makeDir(paths.oneHome, 0o755, account);
  makeDir(paths.datastoresRoot, 0o755, account);
  for (const d of [paths.remotesDir, `${paths.remotesDir}/datastore`, dirname(paths.syncedRestic)]) {
    makeDir(d, 0o755, account);
  }
  makeDir(paths.binDir, 0o755);
  mirrorSystemPath(paths);
}

/** Copies the chosen restic to OpenNebula's synced path (atomically) and links it first on PATH. */
async function installRestic(paths: SandboxPaths, version: ResticVersion, account: Account): Promise<string> {
  const tmp = `${paths.syncedRestic}.new`;
  copyFileSync(resticBinary(version), tmp);
  chmodSync(tmp, 0o755);
  own(tmp, account);
  renameSync(tmp, paths.syncedRestic);
  const link = `${paths.binDir}/restic`;
  rmSync(link, { force: true });
  symlinkSync(paths.syncedRestic, link);
  return resticVersionOf(paths.syncedRestic);
}

async function prepareKeys(paths: SandboxPaths, account: Account): Promise<string> {
  makeDir(paths.server, 0o700, account);
  makeDir(paths.client, 0o700);
  await ensureKeyPair(paths.hostKey, 'backstone-sandbox-host');
  await ensureKeyPair(paths.identity, 'backstone-sandbox-client');
  for (const f of [paths.hostKey, `${paths.hostKey}.pub`]) own(f, account);
  chmodSync(paths.hostKey, 0o600);
  writeFileSync(paths.authorizedKeys, `${publicKeyLine(`${paths.identity}.pub`)}\n`, { mode: 0o600 });
  own(paths.authorizedKeys, account);
  return publicKeyLine(`${paths.hostKey}.pub`);
}

/** The backup account runs sshd and restic inside the state folder, so it must be able to reach it. */
function checkReachable(stateDir: string, account: Account): void {
  if (!isRoot() || account.uid === 0) return;
  const parts = stateDir.split('/').filter(Boolean);
  for (let i = 1; i <= parts.length; i++) {
    const dir = `/${parts.slice(0, i).join('/')}`;
    const st = statSync(dir);
    if (st.uid !== account.uid && (st.mode & 0o001) === 0) {
      throw new Error(
        `the backup account ${account.name} cannot reach ${stateDir}: ${dir} is not searchable by others ` +
          `(mode ${(st.mode & 0o7777).toString(8)}). Use --state with a folder it can reach ` +
          `(e.g. /var/tmp/backstone-sandbox) or run: chmod o+x ${dir}`,
      );
    }
  }
}

/** Starts the backup server of a state folder; idempotent (a running server is left as it is). */
export async function startBackupServer(stateDir: string, opts: StartOptions = {}): Promise<BackupServerInfo> {
  const paths = sandboxPaths(stateDir);
  const previous = readInfo(paths).backupServer;
  const version = opts.resticVersion ?? previous?.restic.requested ?? '0.18';
  makeDir(paths.state, 0o755);
  const account = await ensureBackupAccount();
  checkReachable(paths.state, account);
  layOutRoot(paths, account);
  const resticVersion = await installRestic(paths, version, account);
  const running = runningPid(paths, 'sshd');
  if (running !== undefined && previous) {
    const info = { ...previous, restic: { ...previous.restic, version: resticVersion, requested: version } };
    updateInfo(paths, { backupServer: info });
    return info;
  }
  const hostKeyLine = await prepareKeys(paths, account);
  let port = previous?.port ?? (await freePort());
  let pid: number | undefined;
  for (let attempt = 0; attempt < 5 && pid === undefined; attempt++) {
    if (attempt > 0) port = await freePort();
    pid = await startSshd(paths, port, account);
  }
  if (pid === undefined) throw new Error(`sshd would not start; see ${paths.sshdLog}`);
  writePid(paths, 'sshd', { pid, marker: paths.sshdConfig });
  writeClientFiles({
    name: BACKUP_SERVER_NAME,
    port,
    account: account.name,
    identity: paths.identity,
    knownHosts: paths.knownHosts,
    sshConfig: paths.sshConfig,
    hostKeyLine,
  });
  const info: BackupServerInfo = {
    name: BACKUP_SERVER_NAME,
    host: '127.0.0.1',
    port,
    account: account.name,
    uid: account.uid,
    root: paths.root,
    datastoresRoot: paths.datastoresRoot,
    sshConfig: paths.sshConfig,
    identity: paths.identity,
    knownHosts: paths.knownHosts,
    hostKeyFingerprint: fingerprint(hostKeyLine),
    sshdLog: paths.sshdLog,
    restic: { path: paths.syncedRestic, version: resticVersion, requested: version },
  };
  updateInfo(paths, { backupServer: info });
  return info;
}

/** Runs a command on the sandbox backup server through the OpenSSH client and its config. */
export async function sshRun(stateDir: string, argv: readonly string[]): Promise<string> {
  const paths = sandboxPaths(stateDir);
  const quoted = argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  return runOk('ssh', ['-F', paths.sshConfig, BACKUP_SERVER_NAME, quoted]);
}

export function hostKeyLineOf(stateDir: string): string {
  return readFileSync(`${sandboxPaths(stateDir).hostKey}.pub`, 'utf8').trim();
}
