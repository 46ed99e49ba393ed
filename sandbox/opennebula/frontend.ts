// The sandbox OpenNebula front-end: state, CLI executables in a command folder, the hypervisors'
// SSH access, the datastore monitor daemon, and what info.json tells people about it.
import { chmodSync, chownSync, closeSync, existsSync, mkdirSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { startBackupServer } from '../backup-server/index';
import { ensureBackupAccount, isRoot } from '../common/account';
import { updateInfo } from '../common/info';
import { runningPid, stopComponent, writePid } from '../common/pids';
import { isAlive, startDaemon, waitFor } from '../common/process';
import { shq } from '../common/shell-quote';
import type { ResticVersion } from '../common/restic-binaries';
import { DEMO_ACCOUNTS } from './accounts';
import { bundleCli } from './bundle';
import { writeConfig, type FrontendConfig } from './config';
import { ensureOneKey } from './crypto';
import { writeHypervisorSsh } from './hypervisor-ssh';
import { ensureControlDir } from './ssh-control';
import { MONITOR_ARG } from './ops/monitor-daemon';
import { SERVICE_ARG, serviceFile } from './cli/service';
import { refreshAllDatastores } from './ops/monitor-datastores';
import { frontendPaths, type FrontendPaths } from './paths';
import { ensureDb, readDb } from './store/db';

export const CLI_COMMANDS = [
  'onedatastore',
  'oneimage',
  'onevm',
  'onebackupjob',
  'onetemplate',
  'oneuser',
  'onecluster',
  'onehost',
  'onezone',
] as const;
/** OpenNebula's version the front-end reports; 7.4 is the first with S3 restic datastores. */
export const ONE_VERSION = '7.4.0';

export type FrontendAccount = {
  name: string;
  password: string;
  role: 'admin' | 'user';
  group: string;
  oneAuth: string;
};
export type FrontendInfo = {
  commandDir: string;
  stateFile: string;
  logDir: string;
  version: string;
  monitorIntervalS: number;
  hypervisors: string[];
  accounts: FrontendAccount[];
};

export type FrontendOptions = {
  resticVersion?: ResticVersion;
  monitorIntervalS?: number;
  /** e.g. '7.2.0' to play a front-end without RESTIC_BACKEND (S3); default ONE_VERSION */
  oneVersion?: string;
};

/**
 * A command's wrapper: a client of the CLI service (cli/service.ts) when its caller may use it,
 * else the command in a Node process of its own. The environment it passes is what the CLI reads:
 * ONE_AUTH, HOME and the sandbox's pinned clock.
 */
export function wrapperScript(paths: FrontendPaths, cmd: string): string {
  const self = `exec ${shq(process.execPath)} ${shq(paths.bundle)} ${cmd} "$@"`;
  return [
    '#!/bin/bash',
    `# Sandbox OpenNebula CLI (${cmd}); state in ${paths.state}`,
    `export ONE_SANDBOX_STATE=${shq(paths.state)}`,
    // `onevm updateconf` may read its template on stdin, which the service does not take.
    ...(cmd === 'onevm' ? [`[[ \${1-} == updateconf ]] && ${self}`] : []),
    `if { IFS=' ' read -r port key < ${shq(serviceFile(paths))}; } 2>/dev/null &&`,
    '  { exec 3<>"/dev/tcp/127.0.0.1/$port"; } 2>/dev/null; then',
    '  env=()',
    '  for name in ONE_AUTH HOME ONE_SANDBOX_NOW; do [[ -v $name ]] && env+=("$name=${!name}"); done',
    `  printf '%s\\0' 1 "$key" "$PWD" "\${#env[@]}" "\${env[@]}" $(($# + 1)) ${cmd} "$@" >&3`,
    "  if IFS=' ' read -r code errlen <&3; then",
    '    ((errlen > 0)) && head -c "$errlen" <&3 >&2',
    '    cat <&3',
    '    exit "$code"',
    '  fi',
    `  echo "${cmd}: the sandbox's CLI service closed the connection" >&2`,
    '  exit 255',
    'fi',
    self,
    '',
  ].join('\n');
}

function writeWrappers(paths: FrontendPaths): void {
  mkdirSync(paths.binDir, { recursive: true });
  for (const cmd of CLI_COMMANDS) {
    const script = wrapperScript(paths, cmd);
    writeFileSync(join(paths.binDir, cmd), script, { mode: 0o755 });
    chmodSync(join(paths.binDir, cmd), 0o755);
  }
}

function writeAuthFiles(paths: FrontendPaths): FrontendAccount[] {
  mkdirSync(paths.authDir, { recursive: true, mode: 0o700 });
  return DEMO_ACCOUNTS.map((a) => {
    const oneAuth = join(paths.authDir, `${a.name}.one_auth`);
    writeFileSync(oneAuth, `${a.name}:${a.password}\n`, { mode: 0o600 });
    return { name: a.name, password: a.password, role: a.role, group: a.group, oneAuth };
  });
}

/** System, image and file datastore folders, owned by oneadmin as on a host. */
function makeDatastoreDirs(paths: FrontendPaths, cfg: FrontendConfig): void {
  for (const ds of readDb(paths).datastores.filter((d) => d.dsMad !== 'restic')) {
    const dir = posix.normalize(ds.basePath);
    mkdirSync(dir, { recursive: true });
    if (cfg.switchUser) chownSync(dir, cfg.account.uid, cfg.account.gid);
  }
}

/**
 * On a real front-end oned's files (one.db, one_key, its logs) belong to oneadmin, and any account
 * that holds ONE_AUTH credentials can use the CLI, e.g. `ssh oneadmin@frontend onedatastore ...`.
 * Here the CLI is oned, so when the sandbox runs as root the state it reads and writes is handed to
 * the oneadmin account too: the CLI then works both for root and over SSH as that account.
 */
function shareStateWithAccount(paths: FrontendPaths, cfg: FrontendConfig): void {
  if (!cfg.switchUser) return;
  for (const dir of [paths.jobsDir, paths.logDir]) mkdirSync(dir, { recursive: true });
  const workerLog = join(paths.logDir, 'worker.log');
  closeSync(openSync(workerLog, 'a', 0o640));
  for (const p of [paths.one, paths.oneKey, paths.db, paths.jobsDir, paths.logDir, workerLog]) {
    chownSync(p, cfg.account.uid, cfg.account.gid);
  }
}

/** (Re)starts the CLI service with this bundle, and waits (bounded) until it listens. */
async function startCliService(paths: FrontendPaths): Promise<void> {
  await stopComponent(paths, 'frontend-cli');
  rmSync(serviceFile(paths), { force: true });
  mkdirSync(paths.logDir, { recursive: true });
  const log = join(paths.logDir, 'cli-service.log');
  const pid = startDaemon('frontend-cli', process.execPath, [paths.bundle, SERVICE_ARG], {
    logFile: log,
    env: { ...process.env, ONE_SANDBOX_STATE: paths.state },
  });
  writePid(paths, 'frontend-cli', { pid, marker: `${paths.bundle} ${SERVICE_ARG}` });
  await waitFor(() => existsSync(serviceFile(paths)) || !isAlive(pid), 10_000);
  if (!existsSync(serviceFile(paths))) throw new Error(`the sandbox's CLI service did not start; see ${log}`);
}

function startMonitor(paths: FrontendPaths): void {
  if (runningPid(paths, 'frontend-monitor') !== undefined) return;
  mkdirSync(paths.logDir, { recursive: true });
  const pid = startDaemon('frontend-monitor', process.execPath, [paths.bundle, MONITOR_ARG], {
    logFile: join(paths.logDir, 'monitor.log'),
    env: { ...process.env, ONE_SANDBOX_STATE: paths.state },
  });
  writePid(paths, 'frontend-monitor', { pid, marker: `${paths.bundle} ${MONITOR_ARG}` });
}

/** Starts (or refreshes) the front-end of a state folder, and its backup server; idempotent. */
export async function startFrontend(stateDir: string, opts: FrontendOptions = {}): Promise<FrontendInfo> {
  const server = await startBackupServer(stateDir, { resticVersion: opts.resticVersion });
  const paths = frontendPaths(stateDir);
  mkdirSync(paths.one, { recursive: true, mode: 0o755 });
  chmodSync(paths.one, 0o755);
  const account = await ensureBackupAccount();
  const cfg: FrontendConfig = {
    account: { name: account.name, uid: account.uid, gid: account.gid, home: account.home },
    switchUser: isRoot(),
    restic: server.restic.path,
    backupServer: server.name,
    version: opts.oneVersion ?? ONE_VERSION,
    monitorIntervalS: opts.monitorIntervalS ?? Number(process.env.ONE_SANDBOX_MONITOR_INTERVAL ?? 60),
  };
  writeConfig(paths, cfg);
  writeFileSync(paths.version, `${cfg.version}\n`);
  ensureOneKey(paths);
  ensureDb(paths);
  shareStateWithAccount(paths, cfg);
  makeDatastoreDirs(paths, cfg);
  writeHypervisorSsh(paths, server, cfg);
  ensureControlDir(paths, cfg);
  await bundleCli(paths.bundle);
  writeWrappers(paths);
  const accounts = writeAuthFiles(paths);
  await startCliService(paths);
  await refreshAllDatastores(paths);
  startMonitor(paths);
  const info: FrontendInfo = {
    commandDir: paths.binDir,
    stateFile: paths.db,
    logDir: paths.logDir,
    version: cfg.version,
    monitorIntervalS: cfg.monitorIntervalS,
    hypervisors: readDb(paths).hosts.map((h) => h.name),
    accounts,
  };
  updateInfo(paths, { frontend: info });
  return info;
}
