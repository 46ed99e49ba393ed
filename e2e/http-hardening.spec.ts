/*
 * The HTTP edge (issue 22 §6 and §7), against the production server (server.js over `next build`):
 * malformed percent-encodings, cross-origin and oversize server actions and slow request bodies get
 * a clear 4xx, never a 500 or a five-minute hold; every response carries the security headers; a
 * forwarded https header is only believed when Backstone is told it sits behind a proxy; the
 * home page names none of the service's paths (an admin's System page does); and the nonce CSP breaks no page in Chromium.
 */
import { connect } from 'node:net';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Response as PwResponse } from '@playwright/test';
import { freePort } from '../sandbox/common/net';
import { stopComponent, writePid } from '../sandbox/common/pids';
import { isAlive, startDaemon, waitFor } from '../sandbox/common/process';
import { repoRoot, sandboxPaths } from '../sandbox/common/state';
import { appEnvironment } from '../scripts/app-server';
import { test, expect, addSession, account, sessionCookie, signInWithForm } from './fixtures';
import { builtAction, builtActions } from './support/build-manifest';
import { loadSandbox } from './sandbox-env';

type Raw = { status: number; headers: IncomingHttpHeaders; body: string };

/**
 * One request with the path sent byte for byte (fetch and Playwright would normalize or refuse a
 * malformed one), on its own connection, straight to the app.
 */
function raw(
  path: string,
  opts: { method?: string; headers?: Record<string, string>; body?: Buffer | string; base?: string } = {},
): Promise<Raw> {
  const url = new URL(opts.base ?? loadSandbox().appURL);
  return new Promise<Raw>((resolve, reject) => {
    const r = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path,
        method: opts.method ?? 'GET',
        agent: false,
        headers: opts.headers,
        timeout: 60_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    r.on('timeout', () => r.destroy(new Error(`${path}: no answer within 60 s`)));
    r.on('error', reject);
    r.end(opts.body);
  });
}

/**
 * Posts headers that announce a body of `length` bytes, and sends that body only if no answer came
 * within 5 s: the edge refuses by Content-Length before reading any, and a body still being written
 * while it closes the connection could reset it before its answer is read (EPIPE, seen under load).
 */
function announcedOversize(path: string, headers: Record<string, string>, length: number): Promise<Raw> {
  const url = new URL(loadSandbox().appURL);
  return new Promise<Raw>((resolve, reject) => {
    let answered = false;
    const r = httpRequest(
      {
        host: url.hostname,
        port: url.port,
        path,
        method: 'POST',
        agent: false,
        headers: { ...headers, 'Content-Length': String(length) },
        timeout: 60_000,
      },
      (res) => {
        answered = true;
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') });
          r.destroy();
        });
        res.on('error', reject);
      },
    );
    r.on('timeout', () => r.destroy(new Error(`${path}: no answer within 60 s`)));
    r.on('error', (err) => {
      if (!answered) reject(err);
    });
    r.flushHeaders();
    // A server that reads the body before judging it gets it: it may answer 413 after reading it.
    setTimeout(() => {
      if (!answered) r.end(Buffer.alloc(length, 'a'));
    }, 5_000).unref();
  });
}

let admin = '';
let user = '';
const DS = '100';
let web = '';
let snap = '';

test.beforeAll(async () => {
  admin = await sessionCookie('admin');
  user = await sessionCookie('user');
  web = String(loadSandbox().seed.vms.web);
  const detail = JSON.parse((await raw(`/api/datastores/${DS}/repos/${web}`, { headers: { Cookie: admin } })).body) as {
    snapshots: { id: string }[];
  };
  snap = detail.snapshots.at(-1)!.id;
});

// ---- §6: malformed percent-encoding -----------------------------------------------------------

const SNAP = '/datastores/[id]/repos/[repo]/snapshots/[snap]';
const DYNAMIC_ROUTES = [
  '/datastores/[id]',
  '/datastores/[id]/repos/[repo]',
  SNAP,
  '/datastores/[id]/repos/[repo]/snapshots/compare',
  '/datastores/[id]/maintenance/[repo]',
  '/jobs/[id]',
  '/vms/[id]',
  '/backup-jobs/[id]',
  '/api/datastores/[id]/capacity',
  '/api/datastores/[id]/overview',
  '/api/datastores/[id]/repos/[repo]',
  `/api${SNAP}`,
  `/api${SNAP}/files`,
  `/api${SNAP}/vm-xml`,
  `/api${SNAP}/diff/[other]`,
  `/api${SNAP}/download/[file]`,
  `/api${SNAP}/flattened/[disk]`,
  '/api/jobs/[id]',
];

/**
 * Every page and route handler of the build with a dynamic segment, as its URL template
 * ("/vms/[id]"), read from Next's app-paths manifest: a route added later without a case here
 * fails the test below instead of going untried.
 */
function builtDynamicRoutes(): string[] {
  const file = join(repoRoot, '.next', 'server', 'app-paths-manifest.json');
  const manifest = JSON.parse(readFileSync(file, 'utf8')) as Record<string, string>;
  return Object.keys(manifest)
    .filter((k) => /\/(page|route)$/.test(k) && k.includes('['))
    .map((k) =>
      k
        .replace(/\/(page|route)$/, '')
        .split('/')
        .filter((seg) => seg && !/^\(.*\)$/.test(seg))
        .join('/'),
    )
    .map((k) => `/${k}`)
    .sort();
}

test('the malformed-encoding route list covers every dynamic route of the build', () => {
  const built = builtDynamicRoutes();
  expect(built.length).toBeGreaterThan(10);
  expect(built.filter((r) => !DYNAMIC_ROUTES.includes(r))).toEqual([]);
  expect(DYNAMIC_ROUTES.filter((r) => !built.includes(r))).toEqual([]);
});

const MALFORMED = ['%', '%ff', '%C0%AE', 'a%2', '%E2%82', '%ZZ'];

test('raw malformed percent-encodings in every dynamic segment answer 400 or 404, never 500', async () => {
  test.setTimeout(300_000);
  const valid: Record<string, () => string> = {
    id: () => DS,
    repo: () => web,
    snap: () => snap,
    other: () => snap,
    file: () => 'vm.xml',
    disk: () => '0',
  };
  const failures: string[] = [];
  let sent = 0;
  for (const template of new Set(DYNAMIC_ROUTES)) {
    const params = [...template.matchAll(/\[([^\]]+)\]/g)].map((m) => m[1]!);
    for (const name of params) {
      for (const bad of MALFORMED) {
        const path = template.replace(/\[([^\]]+)\]/g, (_, p: string) => (p === name ? bad : valid[p]!()));
        for (const cookie of [undefined, admin]) {
          const res = await raw(path, { headers: cookie ? { Cookie: cookie } : {} });
          sent++;
          if (res.status !== 400 && res.status !== 404)
            failures.push(`${path} (${cookie ? 'signed in' : 'anonymous'}) -> ${res.status} ${res.body.slice(0, 80)}`);
        }
      }
    }
  }
  expect(sent).toBeGreaterThan(100);
  expect(failures).toEqual([]);
});

test('a malformed path gets a clear answer with the security headers', async () => {
  const res = await raw('/datastores/%C0%AE');
  expect(res.status).toBe(400);
  expect(res.body).toMatch(/percent-encoding/i);
  expect(res.headers['x-content-type-options']).toBe('nosniff');
});

// ---- §6: cross-origin, oversize and slow server actions ------------------------------------------

function signInActionId(): string {
  return builtAction('signInAction').id;
}

const actionHeaders = (extra: Record<string, string>) => ({
  'Content-Type': 'text/plain;charset=UTF-8',
  Accept: 'text/x-component',
  'Next-Action': signInActionId(),
  ...extra,
});

test('a cross-origin server action is refused with 403 and runs nothing', async () => {
  const app = new URL(loadSandbox().appURL);
  const otherPort = `http://127.0.0.1:${Number(app.port) === 65535 ? 1 : Number(app.port) + 1}`;
  const cases: Record<string, string>[] = [
    { Origin: 'http://evil.example' },
    { Origin: 'null' },
    { Origin: otherPort },
    // A forwarded host is not believed without BACKSTONE_TRUST_PROXY=1: it cannot vouch for evil.example.
    { Origin: 'http://evil.example', 'X-Forwarded-Host': 'evil.example' },
  ];
  for (const extra of cases) {
    const res = await raw('/login', { method: 'POST', headers: actionHeaders(extra), body: '[]' });
    expect(res.status, JSON.stringify(extra)).toBe(403);
    expect(res.headers['set-cookie'], JSON.stringify(extra)).toBeUndefined();
    expect(res.body).toMatch(/origin/i);
  }
  // The same request from the app's own origin reaches the action (which refuses the empty form).
  const same = await raw('/login', { method: 'POST', headers: actionHeaders({ Origin: app.origin }), body: '[]' });
  expect(same.status).toBe(200);
});

test('an oversize server action body is refused with 413', async () => {
  const res = await announcedOversize('/login', actionHeaders({ Origin: loadSandbox().appURL }), 3 * 1024 * 1024);
  expect(res.status).toBe(413);
  expect(res.body).toMatch(/too large/i);
});

/** A server action whose body comes chunked (Transfer-Encoding, no Content-Length), on a raw socket. */
function chunkedAction(path: string, headers: Record<string, string>, body: string): Promise<string> {
  const app = new URL(loadSandbox().appURL);
  return new Promise<string>((resolve, reject) => {
    const socket = connect(Number(app.port), app.hostname);
    let got = '';
    socket.on('connect', () => {
      const lines = [`POST ${path} HTTP/1.1`, `Host: ${app.host}`, 'Connection: close', 'Transfer-Encoding: chunked'];
      for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
      const size = Buffer.byteLength(body).toString(16);
      socket.write(`${lines.join('\r\n')}\r\n\r\n${size}\r\n${body}\r\n0\r\n\r\n`);
    });
    socket.on('data', (c: Buffer) => (got += c.toString('utf8')));
    socket.on('close', () => resolve(got));
    socket.on('error', reject);
    setTimeout(() => socket.destroy(new Error(`${path}: no answer within 60 s`)), 60_000).unref();
  });
}

test('a chunked server action body (no Content-Length) is refused with 411 and runs nothing', async () => {
  const answer = await chunkedAction('/login', actionHeaders({ Origin: loadSandbox().appURL }), '[]');
  expect(answer).toMatch(/^HTTP\/1\.1 411/);
  expect(answer).toMatch(/Content-Length/);
  // The action never ran: Next did not answer (no component stream, no cookie).
  expect(answer.toLowerCase()).not.toContain('set-cookie');
  expect(answer).not.toContain('text/x-component');
});

test('x-action-forwarded from outside skips nothing: the same 403, 413 and 411 as any other action', async () => {
  // What Next's own forward of an action carries; a script can send it too.
  const forged = (extra: Record<string, string>) => actionHeaders({ 'x-action-forwarded': '1', ...extra });
  const crossOrigin = await raw('/login', {
    method: 'POST',
    headers: forged({ Origin: 'http://evil.example', 'X-Forwarded-Host': 'evil.example' }),
    body: '[]',
  });
  expect(crossOrigin.status).toBe(403);
  expect(crossOrigin.headers['set-cookie']).toBeUndefined();
  // A made-up stamp of the edge is no stamp.
  const stamped = await raw('/login', {
    method: 'POST',
    headers: forged({ Origin: 'http://evil.example', 'x-backstone-edge': 'f'.repeat(64) }),
    body: '[]',
  });
  expect(stamped.status).toBe(403);
  const oversize = await announcedOversize('/login', forged({ Origin: loadSandbox().appURL }), 3 * 1024 * 1024);
  expect(oversize.status).toBe(413);
  const chunked = await chunkedAction('/login', forged({ Origin: loadSandbox().appURL }), '[]');
  expect(chunked).toMatch(/^HTTP\/1\.1 411/);
  expect(chunked.toLowerCase()).not.toContain('set-cookie');
});

test("Next's own forward of an action called from another page still reaches the action", async () => {
  // cancelJobAction lives on /jobs/[id] only; called from /jobs, Next forwards it to that page
  // itself (a fetch of its own, streamed body, the browser's headers): the edge must let it through.
  const action = builtActions().find((x) => x.exportedName === 'cancelJobAction');
  expect(action, 'cancelJobAction is in the build').toBeDefined();
  const headers = {
    'Content-Type': 'text/plain;charset=UTF-8',
    Accept: 'text/x-component',
    'Next-Action': action!.id,
    Origin: loadSandbox().appURL,
    Cookie: admin,
  };
  const forwarded = await raw('/jobs', { method: 'POST', headers, body: '[999999]' });
  expect(forwarded.status).toBe(200);
  expect(forwarded.headers['content-type']).toContain('text/x-component');
  expect(forwarded.body).toContain('There is no such job.');
});

test('a malformed-encoding refusal is logged: one JSON line with its status, reason and path', async () => {
  const marker = `logged-${Date.now().toString(36)}`;
  const res = await raw(`/datastores/${marker}%C0%AE`);
  expect(res.status).toBe(400);
  const log = join(sandboxPaths(loadSandbox().stateDir).state, 'app.log');
  await expect
    .poll(
      () =>
        readFileSync(log, 'utf8')
          .split('\n')
          .filter((l) => l.includes(marker)),
      { timeout: 10_000 },
    )
    .toHaveLength(1);
  const line = readFileSync(log, 'utf8')
    .split('\n')
    .find((l) => l.includes(marker))!;
  expect(JSON.parse(line)).toMatchObject({
    level: 'warn',
    scope: 'http',
    status: 400,
    reason: 'malformed percent-encoding',
    method: 'GET',
    path: `/datastores/${marker}%C0%AE`,
  });
});

/**
 * Runs `work` against a second production server on the run's sandbox, with settings of its own
 * (`env`), started here and stopped by PID afterwards.
 */
async function withSecondApp(
  name: string,
  env: Record<string, string>,
  work: (base: string, port: number) => Promise<void>,
) {
  const { stateDir } = loadSandbox();
  const paths = sandboxPaths(stateDir);
  const port = await freePort();
  const pid = startDaemon(
    name,
    process.execPath,
    [join(repoRoot, 'server.js'), '--hostname', '127.0.0.1', '--port', String(port)],
    {
      logFile: join(paths.state, `${name}.log`),
      cwd: repoRoot,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? '/root',
        NODE_ENV: 'production',
        NEXT_TELEMETRY_DISABLED: '1',
        ...appEnvironment(stateDir),
        ...env,
      },
    },
  );
  writePid(paths, name, { pid, marker: `--port ${port}` });
  try {
    const base = `http://127.0.0.1:${port}`;
    const up = await waitFor(
      async () => {
        if (!isAlive(pid)) return true;
        try {
          return (await fetch(`${base}/login`, { signal: AbortSignal.timeout(2_000) })).status === 200;
        } catch {
          return false;
        }
      },
      90_000,
      200,
    );
    expect(up && isAlive(pid), `${name} started`).toBe(true);
    await work(base, port);
  } finally {
    await stopComponent(paths, name);
  }
}

test('a request body that drips in is cut off at the configured bound', async () => {
  test.setTimeout(180_000);
  await withSecondApp('app-short-request-timeout', { BACKSTONE_REQUEST_TIMEOUT_SECONDS: '3' }, async (base, port) => {
    // One byte a second: never idle long enough for an idle timeout, never done.
    const started = Date.now();
    const answer = await new Promise<string>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      let got = '';
      let drip: NodeJS.Timeout | undefined;
      socket.on('connect', () => {
        socket.write(
          [
            'POST /login HTTP/1.1',
            `Host: 127.0.0.1:${port}`,
            `Origin: ${base}`,
            'Content-Type: text/plain;charset=UTF-8',
            `Next-Action: ${signInActionId()}`,
            'Content-Length: 100000',
            '',
            '[',
          ].join('\r\n'),
        );
        drip = setInterval(() => socket.write(' '), 1_000);
      });
      socket.on('data', (c: Buffer) => (got += c.toString('utf8')));
      const done = () => {
        clearInterval(drip);
        resolve(got);
      };
      socket.on('close', done);
      socket.on('error', done);
      // The test's own bound: far above the configured 3 s, far below Node's default 300 s.
      setTimeout(() => socket.destroy(), 60_000).unref();
    });
    const elapsed = Date.now() - started;
    expect(elapsed).toBeLessThan(45_000);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  });
});

// ---- §7: security headers and caching -------------------------------------------------------------

function expectSecurityHeaders(res: Raw, what: string): void {
  const csp = res.headers['content-security-policy'];
  expect(csp, `${what}: Content-Security-Policy`).toBeDefined();
  expect(csp, what).toContain("frame-ancestors 'none'");
  expect(csp, what).toContain("object-src 'none'");
  expect(csp, what).toMatch(/script-src [^;]*'nonce-[A-Za-z0-9+/=]{16,}'/);
  expect(csp, what).not.toMatch(/script-src [^;]*'unsafe-inline'/);
  expect(res.headers['x-content-type-options'], what).toBe('nosniff');
  expect(res.headers['referrer-policy'], what).toBe('same-origin');
  expect(res.headers['permissions-policy'], what).toContain('camera=()');
  expect(res.headers['x-frame-options'], what).toBe('DENY');
}

test('pages, /api JSON and downloads carry the security headers; nothing signed-in is cached', async () => {
  const login = await raw('/login');
  expect(login.status).toBe(200);
  expectSecurityHeaders(login, '/login');

  const home = await raw('/', { headers: { Cookie: admin } });
  expect(home.status).toBe(200);
  expectSecurityHeaders(home, '/');
  expect(home.headers['cache-control']).toContain('no-store');
  // Next's own scripts carry the request's nonce; no script goes without one.
  const nonce = /'nonce-([^']+)'/.exec(String(home.headers['content-security-policy']))![1]!;
  const scripts = [...home.body.matchAll(/<script\b[^>]*>/g)].map((m) => m[0]);
  expect(scripts.length).toBeGreaterThan(0);
  expect(scripts.filter((s) => !s.includes(`nonce="${nonce}"`))).toEqual([]);

  const page = await raw(`/datastores/${DS}/repos/${web}`, { headers: { Cookie: admin } });
  expect(page.status).toBe(200);
  expect(page.headers['cache-control']).toContain('no-store');

  const api = await raw('/api/jobs', { headers: { Cookie: admin } });
  expect(api.status).toBe(200);
  expect(api.headers['content-type']).toContain('application/json');
  expectSecurityHeaders(api, '/api/jobs');
  expect(api.headers['cache-control']).toContain('no-store');

  const refused = await raw('/api/jobs');
  expect(refused.status).toBe(401);
  expectSecurityHeaders(refused, '/api/jobs anonymous');
  expect(refused.headers['cache-control']).toContain('no-store');

  const download = await raw(`/api/datastores/${DS}/repos/${web}/snapshots/${snap}/download/vm.xml`, {
    headers: { Cookie: admin },
  });
  expect(download.status).toBe(200);
  expectSecurityHeaders(download, 'a download');
  expect(download.headers['cache-control']).toContain('no-store');
});

test('the nonce CSP breaks no page in Chromium: no violation, scripts and charts run', async ({ page }) => {
  test.setTimeout(180_000);
  const violations: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error' && /Content Security Policy|Refused to/i.test(m.text()))
      violations.push(`${page.url()}: ${m.text()}`);
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      console.error(`Refused to: ${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  // Through the form: the sign-in page is one of the pages checked.
  await signInWithForm(page, 'admin');
  for (const path of [
    '/',
    '/datastores',
    `/datastores/${DS}`,
    `/datastores/${DS}/repos/${web}`,
    `/datastores/${DS}/repos/${web}/snapshots/${snap}`,
    `/datastores/${DS}/maintenance/${web}`,
    '/datastores/new',
    '/jobs',
    '/audit',
    '/system',
    '/alerts',
    '/alerts/settings',
    '/vms',
    '/backup-jobs',
    `/backup-jobs/${loadSandbox().seed.backupJobId}`,
  ]) {
    const res = await page.goto(path);
    expect(res?.status(), path).toBe(200);
    await page.waitForLoadState('networkidle');
    // The inline theme script ran (it carries the nonce).
    await expect(page.locator('html'), path).toHaveAttribute('data-theme', /system|light|dark/);
  }
  // The capacity tab loads its client code (and its uPlot chart, once there are two samples).
  await page.goto(`/datastores/${DS}?tab=capacity`);
  await expect(page.getByTestId('capacity-history')).toBeVisible();
  if ((await page.getByTestId('history-chart').count()) > 0)
    await expect(page.getByTestId('history-chart').locator('canvas').first()).toBeVisible();
  // React hydrated: a client-side navigation works.
  await page.getByRole('link', { name: 'Jobs', exact: true }).first().click();
  await expect(page).toHaveURL(/\/jobs$/);
  expect(violations).toEqual([]);
});

// ---- §7: forwarded headers and the Secure flag ------------------------------------------------------

test('X-Forwarded-Proto does not make the cookie Secure unless the proxy is trusted', async ({ browser }) => {
  const context = await browser.newContext({
    baseURL: loadSandbox().baseURL,
    extraHTTPHeaders: { 'X-Forwarded-Proto': 'https' },
  });
  const page = await context.newPage();
  const responses: PwResponse[] = [];
  page.on('response', (r) => responses.push(r));
  await signInWithForm(page, 'user');
  // Every response's headers are read before the context closes: a listener still reading them
  // then failed (in whichever test ran next) and could miss a cookie.
  const setCookies = (await Promise.all(responses.map((r) => r.headersArray())))
    .flat()
    .filter((h) => h.name.toLowerCase() === 'set-cookie')
    .map((h) => h.value);
  await context.close();
  const session = setCookies.filter((c) => c.startsWith('backstone_session='));
  expect(session.length).toBeGreaterThan(0);
  for (const c of session) expect(c).not.toMatch(/;\s*secure/i);
});

test('behind a trusted proxy (BACKSTONE_TRUST_PROXY=1), X-Forwarded-Proto: https makes the cookie Secure', async ({
  browser,
}) => {
  test.setTimeout(180_000);
  await withSecondApp('app-trusting-proxy', { BACKSTONE_TRUST_PROXY: '1' }, async (base) => {
    const context = await browser.newContext({ baseURL: base, extraHTTPHeaders: { 'X-Forwarded-Proto': 'https' } });
    const page = await context.newPage();
    const a = account('user');
    await page.goto('/login');
    await page.getByLabel('User name').fill(a.name);
    await page.getByLabel('Password').fill(a.password);
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes('/login')),
      page.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    const setCookie = (await response.headersArray())
      .filter((h) => h.name.toLowerCase() === 'set-cookie')
      .map((h) => h.value);
    expect(
      setCookie.some((c) => c.startsWith('backstone_session=') && /;\s*Secure/i.test(c) && /HttpOnly/i.test(c)),
      setCookie.join(' | '),
    ).toBe(true);
    await context.close();
  });
});

// ---- §7: the System page --------------------------------------------------------------------------

test('the System page shows the service paths to admins only; the home page names none of them', async ({
  browser,
}) => {
  const env = appEnvironment(loadSandbox().stateDir);
  const paths = [
    env.BACKSTONE_ONE_AUTH,
    env.BACKSTONE_SSH_IDENTITY,
    env.BACKSTONE_DATA_DIR,
    env.BACKSTONE_SSH_CONFIG,
  ].filter((p): p is string => !!p);
  expect(paths.length).toBeGreaterThanOrEqual(3);

  for (const cookie of [user, admin]) {
    const home = await raw('/', { headers: { Cookie: cookie } });
    expect(home.status).toBe(200);
    for (const p of paths) expect(home.body, p).not.toContain(p);
    for (const p of paths) expect(home.body, p).not.toContain(encodeURI(p));
  }
  const ownerSystem = await raw('/system', { headers: { Cookie: user } });
  expect(ownerSystem.status).toBe(403);
  for (const p of paths) expect(ownerSystem.body, p).not.toContain(p);
  for (const p of paths) expect(ownerSystem.body, p).not.toContain(encodeURI(p));

  const context = await browser.newContext({ baseURL: loadSandbox().baseURL });
  const page = await context.newPage();
  await addSession(page, 'user');
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'Dashboard' })).toBeVisible();
  await expect(page.getByTestId('sidebar').getByRole('link', { name: 'System' })).toHaveCount(0);
  await context.close();

  const adminSystem = await raw('/system', { headers: { Cookie: admin } });
  expect(adminSystem.status).toBe(200);
  expect(adminSystem.body).toContain(env.BACKSTONE_ONE_AUTH!);
});
