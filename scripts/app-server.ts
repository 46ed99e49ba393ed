// Starts and stops the Backstone app (server.js, the production server) for the demo and the end-to-end tests, configured
// to use a sandbox state folder's backup server and front-end. Configuration only: the app does not
// know it talks to a sandbox.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../sandbox/common/net';
import { runningPid, writePid, stopComponent } from '../sandbox/common/pids';
import { commandLine, startDaemon, waitFor, isAlive } from '../sandbox/common/process';
import { readInfo, updateInfo, type AppInfo } from '../sandbox/common/info';
import { repoRoot, sandboxPaths } from '../sandbox/common/state';

// server.js: `next start`'s handler behind Node's HTTP server, so downloads keep their Content-Length.
const SERVER_SCRIPT = join(repoRoot, 'server.js');

/**
 * The sandbox app's Prometheus token (GET /metrics), known to the e2e specs and the demo: the
 * sandbox's accounts and passwords are public too.
 */
export const SANDBOX_METRICS_TOKEN = 'sandbox-metrics-token';

/** The environment that points Backstone at a sandbox. */
export function appEnvironment(stateDir: string): Record<string, string> {
  const paths = sandboxPaths(stateDir);
  const info = readInfo(paths);
  const env: Record<string, string> = {
    BACKSTONE_DATA_DIR: join(paths.state, 'app-data'),
    BACKSTONE_SSH_CONFIG: paths.sshConfig,
    BACKSTONE_SSH_IDENTITY: paths.identity,
    BACKSTONE_SSH_KNOWN_HOSTS: paths.knownHosts,
    BACKSTONE_REMOTE_ROOT: paths.root,
    BACKSTONE_METRICS_TOKEN: SANDBOX_METRICS_TOKEN,
  };
  const frontend = info.frontend as { commandDir?: string; accounts?: { role: string; oneAuth: string }[] } | undefined;
  if (frontend?.commandDir) env.BACKSTONE_ONE_CLI_DIR = frontend.commandDir;
  // Backstone's service identity is oneadmin's, as on a real front-end.
  const service = frontend?.accounts?.find((a) => a.role === 'admin');
  if (service) env.BACKSTONE_ONE_AUTH = service.oneAuth;
  // S3 datastores: Backstone runs restic on its own machine, as the driver does on the front-end;
  // the sandbox's restic is the one its front-end writes S3 backups with.
  const restic = (info.backupServer as { restic?: { path?: string } } | undefined)?.restic?.path;
  if (restic) env.BACKSTONE_LOCAL_RESTIC = restic;
  return env;
}

function newestMtime(path: string): number {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** `next build` of the app into .next (the demo and the benchmarks build when !buildIsFresh()). */
export function buildApp(output: 'inherit' | 'ignore' = 'inherit'): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(repoRoot, 'node_modules', '.bin', 'next'), ['build'], {
      cwd: repoRoot,
      stdio: ['ignore', output, 'inherit'],
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
    });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`next build exited ${code}`))));
  });
}

/** True when .next holds a production build newer than every source it was built from. */
export function buildIsFresh(): boolean {
  const buildId = join(repoRoot, '.next', 'BUILD_ID');
  if (!existsSync(buildId)) return false;
  const sources = [
    'app',
    'lib',
    'public',
    'next.config.js',
    'proxy.ts',
    'instrumentation.ts',
    'package-lock.json',
    'postcss.config.mjs',
    'tsconfig.json',
  ];
  const newest = Math.max(
    ...sources
      .map((s) => join(repoRoot, s))
      .filter(existsSync)
      .map(newestMtime),
  );
  return statSync(buildId).mtimeMs > newest;
}

/** A `next build` of this repository running now (npm test's end-to-end chain builds side by side). */
export function buildRunning(): boolean {
  return readdirSync('/proc').some((entry) => {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) return false;
    if (!/(^|[/ ])next build\b|next\/dist\/bin\/next build\b/.test(commandLine(pid) ?? '')) return false;
    try {
      return readlinkSync(`/proc/${pid}/cwd`) === repoRoot;
    } catch {
      return false;
    }
  });
}

/**
 * For tests that start the production server: a build another step is writing is waited for
 * (bounded, polling), never raced by a second one; with none running and none fresh, one is made
 * here, by whichever test file takes the lock first (the others wait for it like for any build).
 */
export async function ensureFreshBuild(timeoutMs = 10 * 60_000): Promise<void> {
  const lock = join(
    tmpdir(),
    `backstone-build-${createHash('sha256').update(repoRoot).digest('hex').slice(0, 12)}.lock`,
  );
  const fresh = await waitFor(
    async () => {
      if (buildIsFresh()) return true;
      if (buildRunning()) return false;
      let fd: number;
      try {
        fd = openSync(lock, 'wx');
        writeSync(fd, String(process.pid));
      } catch {
        // Another test file holds it and is about to build; a holder that died leaves it behind.
        // (An empty lock is one being taken right now: its PID follows.)
        const text = existsSync(lock) ? readFileSync(lock, 'utf8') : '';
        if (/^\d+$/.test(text) && !isAlive(Number(text))) rmSync(lock, { force: true });
        return false;
      }
      try {
        if (!buildIsFresh()) await buildApp('ignore');
      } finally {
        closeSync(fd);
        rmSync(lock, { force: true });
      }
      return buildIsFresh();
    },
    timeoutMs,
    1_000,
  );
  if (!fresh) throw new Error(`no fresh production build in .next within ${timeoutMs / 1000} s`);
}

export type StartAppOptions = { port?: number; extraEnv?: Record<string, string> };

/** Starts the production server (server.js) on 127.0.0.1 and waits (bounded) until it answers. Idempotent. */
export async function startApp(stateDir: string, opts: StartAppOptions = {}): Promise<AppInfo> {
  const paths = sandboxPaths(stateDir);
  const previous = readInfo(paths).app;
  if (runningPid(paths, 'app') !== undefined && previous) return previous;
  const port = opts.port ?? previous?.port ?? (await freePort());
  const dataDir = join(paths.state, 'app-data');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const log = join(paths.state, 'app.log');
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/root',
    LANG: 'C.UTF-8',
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
    ...appEnvironment(stateDir),
    ...opts.extraEnv,
  };
  const marker = `--port ${port}`;
  const pid = startDaemon('app', process.execPath, [SERVER_SCRIPT, '--hostname', '127.0.0.1', '--port', String(port)], {
    logFile: log,
    env,
    cwd: repoRoot,
  });
  writePid(paths, 'app', { pid, marker: SERVER_SCRIPT });
  const url = `http://127.0.0.1:${port}`;
  const ready = await waitFor(
    async () => {
      if (!isAlive(pid)) return true;
      try {
        const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(2_000) });
        return res.status < 500;
      } catch {
        return false;
      }
    },
    60_000,
    100,
  );
  if (!ready || !isAlive(pid)) {
    await stopComponent(paths, 'app');
    throw new Error(`the app did not start on ${url} (${marker}); see ${log}`);
  }
  const app: AppInfo = { url, port, dataDir, log };
  updateInfo(paths, { app });
  return app;
}

export async function stopApp(stateDir: string): Promise<void> {
  await stopComponent(sandboxPaths(stateDir), 'app');
}
