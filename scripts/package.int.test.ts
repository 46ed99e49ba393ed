// The release archive as an admin uses it: `npm run package`'s tar.gz unpacked into an empty folder,
// started with plain `node server.js` (its own node_modules only; the repository's are nowhere on its
// path) against a seeded sandbox; Chromium signs in and sees the seeded datastore; the health
// endpoints answer without a session and reveal nothing secret. The app stops by PID.
import { spawn, spawnSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appEnvironment, ensureFreshBuild } from './app-server';
import { archiveName, packageRelease, type PackageResult } from './package';
import { CHROMIUM_LAUNCH } from './test-support/chromium';
import { freePort } from '@/sandbox/common/net';
import { writePid } from '@/sandbox/common/pids';
import { isAlive, recordPid, startDaemon, waitFor } from '@/sandbox/common/process';
import { repoRoot, sandboxPaths } from '@/sandbox/common/state';
import { startFrontend, type FrontendInfo } from '@/sandbox/opennebula/frontend';
import { seedDemoDatastore } from '@/sandbox/seed/seed-demo-cloud';
import { readInfo } from '@/sandbox/common/info';
import { stopSandbox } from '@/sandbox/status';

let packaged: PackageResult;
let packageSeconds = 0;
let unpacked: string;
let top: string;
let stateDir: string;
let frontend: FrontendInfo;
let seed: { datastoreId: number };
let url: string;
let appPid: number;
let browser: Browser | undefined;

beforeAll(async () => {
  await ensureFreshBuild();
  const began = Date.now();
  packaged = await packageRelease(mkdtempSync(join(tmpdir(), 'backstone-test-dist-')));
  packageSeconds = (Date.now() - began) / 1000;

  unpacked = mkdtempSync(join(tmpdir(), 'backstone-test-archive-'));
  const tar = spawnSync('tar', ['--extract', '--gzip', '--file', packaged.archive, '-C', unpacked], {
    encoding: 'utf8',
  });
  expect(tar.status, tar.stderr).toBe(0);
  top = join(unpacked, archiveName().replace(/\.tar\.gz$/, ''));

  stateDir = mkdtempSync(join(tmpdir(), 'backstone-test-archive-state-'));
  chmodSync(stateDir, 0o755);
  frontend = await startFrontend(stateDir);
  // The datastore is all the archive needs to show: the demo's backups would only add restic work.
  seed = await seedDemoDatastore(stateDir);

  const paths = sandboxPaths(stateDir);
  const port = await freePort();
  const env = appEnvironment(stateDir);
  mkdirSync(env.BACKSTONE_DATA_DIR!, { recursive: true, mode: 0o700 });
  const serverJs = join(top, 'server.js');
  // What the systemd unit gives it: a bare environment, the working folder the archive's own.
  appPid = startDaemon('archive-app', process.execPath, [serverJs, '--hostname', '127.0.0.1', '--port', String(port)], {
    logFile: join(paths.state, 'archive-app.log'),
    cwd: top,
    env: { PATH: '/usr/local/bin:/usr/bin:/bin', HOME: paths.state, LANG: 'C.UTF-8', NODE_ENV: 'production', ...env },
  });
  writePid(paths, 'app', { pid: appPid, marker: serverJs });
  url = `http://127.0.0.1:${port}`;
  const up = await waitFor(
    async () => {
      if (!isAlive(appPid)) return true;
      try {
        return (await fetch(`${url}/api/health`, { signal: AbortSignal.timeout(2_000) })).ok;
      } catch {
        return false;
      }
    },
    60_000,
    100,
  );
  expect(up && isAlive(appPid), readFileSync(join(paths.state, 'archive-app.log'), 'utf8')).toBe(true);
}, 15 * 60_000);

afterAll(async () => {
  await browser?.close();
  if (stateDir) {
    await stopSandbox(stateDir);
    rmSync(stateDir, { recursive: true, force: true });
  }
  if (unpacked) rmSync(unpacked, { recursive: true, force: true });
  if (packaged) rmSync(join(packaged.archive, '..'), { recursive: true, force: true });
  console.log(
    `archive: ${(packaged?.bytes / 1024 / 1024).toFixed(1)} MiB, ${packaged?.built ? 'built and ' : ''}packed in ${packageSeconds.toFixed(1)} s`,
  );
});

/** Every secret of the sandbox that an answer must never hold, and paths that say where keys are. */
function secrets(): string[] {
  const server = readInfo(sandboxPaths(stateDir)).backupServer!;
  return [
    ...frontend.accounts.map((a) => a.password),
    'sandbox-restic-pw',
    server.identity,
    server.knownHosts,
    frontend.accounts[0]!.oneAuth,
  ];
}

describe('the release archive', () => {
  it('holds the standalone build, the native module, and none of the repository', () => {
    expect(readFileSync(join(top, 'server.js'), 'utf8')).toBe(readFileSync(join(repoRoot, 'server.js'), 'utf8'));
    const pkg = JSON.parse(readFileSync(join(top, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(pkg.devDependencies).toBeUndefined();
    expect(pkg.dependencies).toBeUndefined();
    for (const dev of ['typescript', 'vitest', '@playwright/test', 'eslint', 'tsx', 'esbuild'])
      expect(readdirSync(join(top, 'node_modules'))).not.toContain(dev);
    expect(readdirSync(top)).not.toContain('app');
    expect(readdirSync(top)).not.toContain('lib');
  });

  it('answers /api/health and /api/ready without a session, with the security headers and no secret', async () => {
    const health = await fetch(`${url}/api/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    expect(health.headers.get('x-content-type-options')).toBe('nosniff');
    expect(health.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    expect(health.headers.get('cache-control')).toBe('no-store');

    const ready = await fetch(`${url}/api/ready`);
    const text = await ready.text();
    expect(ready.status, text).toBe(200);
    const server = readInfo(sandboxPaths(stateDir)).backupServer!;
    expect(JSON.parse(text)).toEqual({
      status: 'ok',
      store: 'ok',
      opennebula: 'ok',
      backupServers: [{ host: server.name, ssh: 'ok' }],
    });
    expect(ready.headers.get('x-frame-options')).toBe('DENY');
    for (const s of secrets()) expect(text).not.toContain(s);
  });

  it('signs in and shows the seeded datastore, running on its own node_modules', async () => {
    browser = await chromium.launch(CHROMIUM_LAUNCH);
    const page = await browser.newPage({ baseURL: url });
    const admin = frontend.accounts.find((a) => a.role === 'admin')!;
    await page.goto('/datastores');
    await page.waitForURL(/\/login/);
    await page.getByLabel('User name').fill(admin.name);
    await page.getByLabel('Password').fill(admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('signed-in-user').filter({ hasText: admin.name }).waitFor({ timeout: 30_000 });
    await page.goto('/datastores');
    const row = page.getByTestId(`datastore-row-${seed.datastoreId}`);
    await row.waitFor({ timeout: 30_000 });
    expect(await row.textContent()).toContain('RBackups');

    // The store is open now: its native module, like every file the process maps, is the archive's.
    const maps = readFileSync(`/proc/${appPid}/maps`, 'utf8');
    expect(maps).toContain(join(top, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'));
    expect(maps).not.toContain(`${repoRoot}/`);
  });

  it('refuses to start on a store written by a newer release, saying why', async () => {
    const dataDir = mkdtempSync(join(unpacked, 'newer-store-'));
    const store = new Database(join(dataDir, 'backstone.sqlite'));
    store.pragma('user_version = 999');
    store.close();
    const child = spawn(
      process.execPath,
      [join(top, 'server.js'), '--hostname', '127.0.0.1', '--port', String(await freePort())],
      {
        cwd: top,
        env: {
          PATH: '/usr/local/bin:/usr/bin:/bin',
          HOME: dataDir,
          NODE_ENV: 'production',
          ...appEnvironment(stateDir),
          BACKSTONE_DATA_DIR: dataDir,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    recordPid(child.pid!, 'archive-app-newer-store');
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const bound = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const code = await exited;
    clearTimeout(bound);
    expect(code, output).toBe(1);
    expect(output).toContain('Backstone cannot start: the store did not open');
    expect(output).toMatch(/schema version 999, but this Backstone knows versions up to \d+: a newer release wrote it/);
    const after = new Database(join(dataDir, 'backstone.sqlite'), { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(999);
    after.close();
  }, 90_000);

  it('stops on SIGTERM by itself, within its stop grace', async () => {
    process.kill(appPid, 'SIGTERM');
    // Default grace 3 s with no job running; the bound only keeps a hung stop from hanging the test.
    expect(await waitFor(() => !isAlive(appPid), 30_000, 100)).toBe(true);
    const log = readFileSync(join(sandboxPaths(stateDir).state, 'archive-app.log'), 'utf8');
    expect(log).not.toMatch(/"level":"error"/);
  });
});
