// deploy/nginx and deploy/apache, checked by each server's own config test, and Nginx for real: on
// loopback with a self-signed certificate made here, in front of the production server (server.js
// with BACKSTONE_TRUST_PROXY=1) on a sandbox. Through it, Chromium signs in and gets the Secure
// session cookie, and a 1 GiB disk downloads whole with its Content-Length. Every server started
// here stops by PID. Skipped, saying why, only where the Debian package is missing (setup.sh
// installs nginx and apache2).
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from '@playwright/test';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureFreshBuild, startApp } from './app-server';
import { CHROMIUM_LAUNCH } from './test-support/chromium';
import { readInfo, type AppInfo, type BackupServerInfo } from '@/sandbox/common/info';
import { freePort } from '@/sandbox/common/net';
import { writePid } from '@/sandbox/common/pids';
import { isAlive, startDaemon, waitFor } from '@/sandbox/common/process';
import { repoRoot, sandboxPaths } from '@/sandbox/common/state';
import { startFrontend, type FrontendInfo } from '@/sandbox/opennebula/frontend';
import { stopSandbox } from '@/sandbox/status';

const NGINX_SITE = join(repoRoot, 'deploy', 'nginx', 'backstone.conf');
const APACHE_SITE = join(repoRoot, 'deploy', 'apache', 'backstone.conf');
const hasNginx = existsSync('/usr/sbin/nginx');
const hasApache = existsSync('/usr/sbin/apachectl') && existsSync('/usr/lib/apache2/modules/mod_http2.so');
const GIB = 1024 * 1024 * 1024;
/** A skipped test says why in its name. */
const unlessMissing = (title: string, present: boolean, pkg: string) =>
  present ? title : `${title} — skipped: the Debian package ${pkg} is not installed (scripts/setup.sh installs it)`;

let work: string;
let cert: string;
let key: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'backstone-test-proxy-'));
  chmodSync(work, 0o755); // Nginx's workers read the certificate's folder, not the key (read as root)
  cert = join(work, 'cert.pem');
  key = join(work, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=127.0.0.1',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    {
      stdio: 'ignore',
      env: { ...process.env, OPENSSL_CONF: '/dev/null' },
      input: '',
    },
  );
}, 60_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Replaces each `from` (which must be there: the example changed shape otherwise) with `to`. */
function rewrite(text: string, pairs: [string, string][]): string {
  let out = text;
  for (const [from, to] of pairs) {
    expect(out, `the example should hold ${JSON.stringify(from)}`).toContain(from);
    out = out.split(from).join(to);
  }
  return out;
}

/** The example site on loopback ports with this test's certificate and upstream, inside a whole nginx.conf. */
function nginxConfig(dir: string, ports: { http: number; https: number; upstream: number }): string {
  const site = rewrite(readFileSync(NGINX_SITE, 'utf8'), [
    ['listen [::]:80;', ''],
    ['listen [::]:443 ssl http2;', ''],
    ['listen 80;', `listen 127.0.0.1:${ports.http};`],
    ['listen 443 ssl http2;', `listen 127.0.0.1:${ports.https} ssl http2;`],
    ['/etc/ssl/certs/backstone.pem', cert],
    ['/etc/ssl/private/backstone.key', key],
    ['http://127.0.0.1:3000', `http://127.0.0.1:${ports.upstream}`],
  ]);
  writeFileSync(join(dir, 'backstone.conf'), site);
  for (const sub of ['client', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) mkdirSync(join(dir, sub), { recursive: true });
  const main = [
    process.getuid?.() === 0 ? 'user root;' : '',
    'worker_processes 1;',
    `pid ${join(dir, 'nginx.pid')};`,
    `error_log ${join(dir, 'error.log')} warn;`,
    'events { worker_connections 64; }',
    'http {',
    '  access_log off;',
    `  client_body_temp_path ${join(dir, 'client')};`,
    `  proxy_temp_path ${join(dir, 'proxy')};`,
    `  fastcgi_temp_path ${join(dir, 'fastcgi')};`,
    `  uwsgi_temp_path ${join(dir, 'uwsgi')};`,
    `  scgi_temp_path ${join(dir, 'scgi')};`,
    `  include ${join(dir, 'backstone.conf')};`,
    '}',
  ].join('\n');
  const file = join(dir, 'nginx.conf');
  writeFileSync(file, `${main}\n`);
  return file;
}

describe('the Apache example', () => {
  it.skipIf(!hasApache)(unlessMissing('passes apachectl configtest', hasApache, 'apache2'), () => {
    const dir = join(work, 'apache');
    mkdirSync(dir, { recursive: true });
    const site = rewrite(readFileSync(APACHE_SITE, 'utf8'), [
      ['/etc/ssl/certs/backstone.pem', cert],
      ['/etc/ssl/private/backstone.key', key],
    ]);
    writeFileSync(join(dir, 'backstone.conf'), site);
    // Debian's apache2.conf, reduced to what the site needs: the modules its comment names.
    const modules = [
      'mpm_event',
      'authz_core',
      'alias',
      'headers',
      'env',
      'ssl',
      'socache_shmcb',
      'proxy',
      'proxy_http',
      'http2',
    ];
    const main = [
      `DefaultRuntimeDir ${dir}`,
      `PidFile ${join(dir, 'apache2.pid')}`,
      `ErrorLog ${join(dir, 'error.log')}`,
      ...modules.map((m) => `LoadModule ${m}_module /usr/lib/apache2/modules/mod_${m}.so`),
      'Listen 127.0.0.1:80',
      'Listen 127.0.0.1:443',
      `Include ${join(dir, 'backstone.conf')}`,
    ].join('\n');
    writeFileSync(join(dir, 'apache2.conf'), `${main}\n`);
    // APACHE_CONFDIR: Debian's apachectl then runs `apache2 -d DIR -t` on DIR/apache2.conf.
    const r = spawnSync('apachectl', ['configtest'], {
      encoding: 'utf8',
      env: { ...process.env, APACHE_CONFDIR: dir },
      timeout: 60_000,
    });
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
    expect(r.stderr).toContain('Syntax OK');
  });
});

describe.skipIf(!hasNginx)(unlessMissing('the Nginx example', hasNginx, 'nginx'), () => {
  let stateDir: string;
  let frontend: FrontendInfo;
  let server: BackupServerInfo;
  let app: AppInfo;
  let datastoreId: number;
  let snapshotId: string;
  let nginxUrl: string;
  let httpPort: number;
  let browser: Browser | undefined;

  /** A script on the backup server as its account, the password on stdin (never in a command line). */
  function onServer(script: string, password: string, ...args: string[]): string {
    const q = (a: string) => `'${a.replace(/'/g, `'\\''`)}'`;
    return execFileSync(
      'ssh',
      [
        '-F',
        server.sshConfig,
        server.name,
        ['sh', '-c', q(`IFS= read -r pw; ${script}`), 'sh', ...args.map(q)].join(' '),
      ],
      { encoding: 'utf8', input: `${password}\n`, timeout: 300_000 },
    );
  }

  beforeAll(async () => {
    await ensureFreshBuild();
    stateDir = mkdtempSync(join(tmpdir(), 'backstone-test-proxy-state-'));
    chmodSync(stateDir, 0o755);
    frontend = await startFrontend(stateDir);
    server = readInfo(sandboxPaths(stateDir)).backupServer!;
    const admin = frontend.accounts.find((a) => a.role === 'admin')!;

    // A restic datastore whose repository 9001 holds one snapshot of a 1 GiB disk (zeros: restic
    // stores one chunk, so building it costs a read, not a gigabyte of repository).
    const password = 'proxy-test-restic-pw';
    const template = join(stateDir, 'ds.tpl');
    writeFileSync(
      template,
      `NAME = "ProxyBackups"\nTYPE = "BACKUP_DS"\nDS_MAD = "restic"\nTM_MAD = "-"\nRESTIC_PASSWORD = "${password}"\nRESTIC_SFTP_SERVER = "${server.name}"\nRESTIC_SFTP_USER = "${server.account}"\n`,
    );
    const created = execFileSync(join(frontend.commandDir, 'onedatastore'), ['create', template], {
      encoding: 'utf8',
      env: { ...process.env, ONE_AUTH: admin.oneAuth },
    });
    datastoreId = Number(/ID:\s*(\d+)/.exec(created)![1]);
    const summary = onServer(
      'set -e; printf "%s\\n" "$pw" | "$2" --password-file=/dev/stdin --repo="$1" init -q; mkdir -p "$3"; head -c 1073741824 /dev/zero > "$3/disk.0.0"; printf "%s\\n" "$pw" | "$2" --password-file=/dev/stdin --repo="$1" backup --json -q --tag=one-9001 "$3/disk.0.0"; rm -rf "$3"',
      password,
      join(server.datastoresRoot, String(datastoreId), '9001'),
      server.restic.path,
      join(server.datastoresRoot, String(datastoreId), '.proxy-test-disk'),
    );
    snapshotId = (JSON.parse(summary.trim().split('\n').pop()!) as { snapshot_id: string }).snapshot_id;

    app = await startApp(stateDir, { extraEnv: { BACKSTONE_TRUST_PROXY: '1' } });

    const dir = join(work, 'nginx');
    mkdirSync(dir, { recursive: true });
    httpPort = await freePort();
    const ports = { http: httpPort, https: await freePort(), upstream: app.port };
    const conf = nginxConfig(dir, ports);
    const paths = sandboxPaths(stateDir);
    const pid = startDaemon(
      'nginx',
      '/usr/sbin/nginx',
      ['-c', conf, '-e', join(dir, 'error.log'), '-g', 'daemon off;'],
      {
        logFile: join(dir, 'nginx.out'),
      },
    );
    // Stopped with the sandbox, by this PID (SIGTERM: Nginx's master takes its workers along).
    writePid(paths, 'nginx', { pid, marker: conf });
    nginxUrl = `https://127.0.0.1:${ports.https}`;
    const up = await waitFor(
      () =>
        !isAlive(pid) ||
        spawnSync('curl', ['-sk', '-o', '/dev/null', '--max-time', '2', `${nginxUrl}/api/health`]).status === 0,
      30_000,
      100,
    );
    expect(up && isAlive(pid), readFileSync(join(dir, 'error.log'), 'utf8')).toBe(true);
  }, 15 * 60_000);

  afterAll(async () => {
    await browser?.close();
    if (stateDir) {
      await stopSandbox(stateDir);
      rmSync(stateDir, { recursive: true, force: true });
    }
  });

  it('passes nginx -t', () => {
    const dir = join(work, 'nginx-t');
    mkdirSync(dir, { recursive: true });
    const conf = nginxConfig(dir, { http: 80, https: 443, upstream: 3000 });
    const r = spawnSync('nginx', ['-t', '-c', conf, '-e', join(dir, 'error.log')], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toContain('test is successful');
  });

  it('sends plain http to https', () => {
    const r = spawnSync(
      'curl',
      ['-s', '-o', '/dev/null', '-w', '%{http_code} %{redirect_url}', `http://127.0.0.1:${httpPort}/datastores`],
      { encoding: 'utf8' },
    );
    expect(r.stdout).toMatch(/^301 https:\/\/127\.0\.0\.1\/datastores$/);
  });

  let cookie = '';

  it('signs in through it with a Secure session cookie', async () => {
    browser = await chromium.launch(CHROMIUM_LAUNCH);
    const context = await browser.newContext({ baseURL: nginxUrl, ignoreHTTPSErrors: true });
    const page = await context.newPage();
    const admin = frontend.accounts.find((a) => a.role === 'admin')!;
    await page.goto('/login');
    await page.getByLabel('User name').fill(admin.name);
    await page.getByLabel('Password').fill(admin.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('signed-in-user').filter({ hasText: admin.name }).waitFor({ timeout: 30_000 });
    const session = (await context.cookies()).find((c) => c.name === 'backstone_session');
    expect(session?.secure).toBe(true);
    expect(session?.httpOnly).toBe(true);
    cookie = `${session!.name}=${session!.value}`;
  });

  it('downloads a 1 GiB disk whole, with its Content-Length, over HTTP/2', async () => {
    expect(cookie).not.toBe('');
    const url = `${nginxUrl}/api/datastores/${datastoreId}/repos/9001/snapshots/${snapshotId}/download/disk.0.0`;
    const headers = join(work, 'download-headers');
    // The cookie goes to curl on stdin, never in a command line.
    const result = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = spawn(
        'curl',
        [
          '-sk',
          '--http2',
          '-H',
          '@-',
          '-D',
          headers,
          '-o',
          '/dev/null',
          '-w',
          '%{http_code} %{http_version} %{size_download}',
          url,
        ],
        { stdio: ['pipe', 'pipe', 'inherit'] },
      );
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.on('exit', (code) => resolve({ code, out }));
      child.stdin.end(`Cookie: ${cookie}\n`);
    });
    expect(result.code).toBe(0);
    expect(result.out).toBe(`200 2 ${GIB}`);
    expect(readFileSync(headers, 'utf8')).toMatch(new RegExp(`^content-length: ${GIB}\\r?$`, 'im'));
  }, 300_000);

  it('answers the health endpoints through it without a session, with the security headers', async () => {
    for (const path of ['/api/health', '/api/ready']) {
      const r = spawnSync('curl', ['-sk', '-D', '-', '-o', '/dev/null', `${nginxUrl}${path}`], { encoding: 'utf8' });
      expect(r.stdout).toMatch(/^HTTP\/2 200/);
      expect(r.stdout).toMatch(/^x-content-type-options: nosniff/im);
      expect(r.stdout).toMatch(/^strict-transport-security: max-age=/im);
    }
  });
});
