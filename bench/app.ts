// The benchmark's figures that need the production app, one step each: the 10,000-row snapshot
// table in Chromium, first-load JavaScript per route, and the server's memory during a 1 GiB
// download through the real download route. The steps share one app session (the app, a signed-in
// Chromium) when they run in one worker; a worker that starts at a later step opens its own. The
// app is the production build (built by the build step when stale) started on the bench sandbox
// by scripts/app-server.ts, as the demo and the end-to-end tests start it.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser, type BrowserContext } from '@playwright/test';
import { CHROMIUM_LAUNCH } from '@/scripts/test-support/chromium';
import { buildApp, buildIsFresh, startApp, stopApp } from '../scripts/app-server';
import { runningPid } from '../sandbox/common/pids';
import { repoRoot, sandboxPaths } from '../sandbox/common/state';
import { readInfo, type AppInfo } from '../sandbox/common/info';
import { STATE, UI_REPO, UI_REPO_SNAPSHOTS, DISK_REPO, type Info } from './dataset';
import {
  LONGEST_READ_CACHE_SECONDS,
  median,
  msFigure,
  time,
  TABLE_LOADS,
  TABLE_LOADS_EXPIRED,
  TABLE_WARM_UP_LOADS,
} from './measure';
import type { RouteJs } from './results';
import { DOWNLOADS } from './steps';
import type { Recorder } from './worker';
import { DEFAULT_ONE_READ_CACHE_SECONDS } from '@/lib/config';

const KB = 1000;

/** One load of the table, timed in the page (ms from navigation start). */
type TableLoad = { at: number; fcp: number; ttfb: number; trs: number; shown: string; html: number };

/** Builds the app when .next is older than its sources (as the e2e runner does); the seconds it took. */
export async function ensureBuild(log: (s: string) => void): Promise<number | undefined> {
  if (buildIsFresh()) return undefined;
  log('building the app (next build)');
  const t0 = performance.now();
  await buildApp('ignore');
  return Math.round((performance.now() - t0) / 1000);
}

/** Resident memory of a process and all its descendants, from /proc (outside the process). */
function treeRssBytes(pid: number): { total: number; main: number; processes: number } {
  const children = new Map<number, number[]>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(e)]);
    } catch {
      // gone meanwhile
    }
  }
  const rss = (p: number) => {
    try {
      const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${p}/status`, 'utf8'));
      return m ? Number(m[1]) * 1024 : 0;
    } catch {
      return 0;
    }
  };
  let total = 0;
  let processes = 0;
  const todo = [pid];
  while (todo.length) {
    const p = todo.pop()!;
    total += rss(p);
    processes++;
    todo.push(...(children.get(p) ?? []));
  }
  return { total, main: rss(pid), processes };
}

/** JS per page from the build's manifests: the root main files plus the layouts' and the page's entry files. */
function manifestJs(): Map<string, { gzip: number; raw: number }> {
  const next = join(repoRoot, '.next');
  const build = JSON.parse(readFileSync(join(next, 'build-manifest.json'), 'utf8')) as { rootMainFiles: string[] };
  const pages = JSON.parse(readFileSync(join(next, 'server', 'app-paths-manifest.json'), 'utf8')) as Record<
    string,
    string
  >;
  const sizes = new Map<string, { gzip: number; raw: number }>();
  const sizeOf = (f: string) => {
    let s = sizes.get(f);
    if (!s) {
      const bytes = readFileSync(join(next, f));
      s = { gzip: gzipSync(bytes, { level: 9 }).length, raw: bytes.length };
      sizes.set(f, s);
    }
    return s;
  };
  const out = new Map<string, { gzip: number; raw: number }>();
  for (const page of Object.keys(pages)) {
    if (!page.endsWith('/page')) continue;
    const manifest = join(next, 'server', 'app', `${page}_client-reference-manifest.js`);
    if (!existsSync(manifest)) continue;
    const text = readFileSync(manifest, 'utf8');
    const json = text.slice(text.indexOf('= {') + 2).replace(/;\s*$/, '');
    const entries = (JSON.parse(json) as { entryJSFiles: Record<string, string[]> }).entryJSFiles;
    const files = new Set(build.rootMainFiles);
    for (const [k, fs] of Object.entries(entries))
      if (k.endsWith('/layout') || k === `[project]/app${page}`) for (const f of fs) files.add(f);
    let gzip = 0;
    let raw = 0;
    for (const f of files) {
      const s = sizeOf(f);
      gzip += s.gzip;
      raw += s.raw;
    }
    out.set(page, { gzip, raw });
  }
  return out;
}

/** "/(console)/datastores/[id]/page" -> "/datastores/[id]" */
function routeOf(page: string): string {
  return page.replace(/\/page$/, '').replace(/\/\([^/)]*\)/g, '') || '/';
}

/** Signs a browser in and returns its storage state (the session cookie). */
export async function signedInState(browser: Browser, url: string, name: string, password: string) {
  const context = await browser.newContext({ baseURL: url });
  const page = await context.newPage();
  await page.goto('/login');
  await page.getByLabel('User name').fill(name);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 60_000 });
  const state = await context.storageState();
  await context.close();
  return state;
}

/**
 * Downloads a URL into a file with curl, as an admin saves a download (a native client in its own
 * process, like the raw `ssh ... > file`). The session cookie goes to curl on stdin, not in argv.
 */
function download(url: string, cookie: string, file: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('curl', ['--silent', '--show-error', '--fail', '--header', '@-', '--output', file, url], {
      stdio: ['pipe', 'ignore', 'inherit'],
    });
    child.stdin.end(`Cookie: ${cookie}\n`);
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`download: curl exited ${code}`))));
  });
}

/** What the app figures borrow from the library run: the raw dump, the file sink, the quiet wait. */
export type BenchTools = {
  /** `ssh ... restic dump > file` of the 1 GiB disk. */
  rawDump: () => Promise<unknown>;
  /** Runs a download into a file, checks it holds 1 GiB, removes it. */
  intoFile: (write: (file: string) => Promise<unknown>) => Promise<void>;
  /** Waits for a quiet machine (measure.ts settle). */
  quiet: () => Promise<void>;
};

/** The running app and a Chromium signed in to it, shared by the app steps. */
export type AppSession = {
  /** The app as last started (the table step restarts it). */
  app: AppInfo;
  browser: Browser;
  /** A new browser context, signed in, with an empty HTTP cache; closed with the session. */
  fresh: () => Promise<BrowserContext>;
  contexts: BrowserContext[];
  /** The signed-in session cookie, for curl. */
  cookie: string;
  close: () => Promise<void>;
};

/** Starts the app (the build is the build step's) and signs a Chromium in as the admin. */
export async function openAppSession(): Promise<AppSession> {
  await stopApp(STATE);
  const app = await startApp(STATE);
  const admin = (
    readInfo(sandboxPaths(STATE)).frontend as { accounts: { role: string; name: string; password: string }[] }
  ).accounts.find((a) => a.role === 'admin')!;
  const browser = await chromium.launch(CHROMIUM_LAUNCH);
  const contexts: BrowserContext[] = [];
  const close = async () => {
    for (const c of contexts) await c.close().catch(() => undefined);
    await browser.close();
    await stopApp(STATE);
  };
  try {
    const storageState = await signedInState(browser, app.url, admin.name, admin.password);
    const s: AppSession = {
      app,
      browser,
      contexts,
      cookie: storageState.cookies.map((c) => `${c.name}=${c.value}`).join('; '),
      fresh: async () => {
        const c = await browser.newContext({
          baseURL: s.app.url,
          storageState,
          viewport: { width: 1440, height: 900 },
        });
        contexts.push(c);
        return c;
      },
      close,
    };
    return s;
  } catch (e) {
    await close();
    throw e;
  }
}

function tablePathOf(info: Info): string {
  return `/datastores/${info.uiDatastoreId}/repos/${UI_REPO}`;
}

/** The 10,000-row table: first paint, warm and with the read cache expired, and rows in the DOM. */
export async function tableFigures(
  s: AppSession,
  info: Info,
  quiet: () => Promise<void>,
  log: (s: string) => void,
  record: Recorder,
): Promise<void> {
  const { fresh } = s;

  // 1. The 10,000-row table. The first load fills Backstone's snapshot cache (restic snapshots
  // over 10,000 snapshots); the measured loads are warm on the server, cold in the browser.
  const tablePath = tablePathOf(info);
  log(`10,000-row table: first load (fills the snapshot cache), then first paint in Chromium`);
  {
    const c = await fresh();
    const p = await c.newPage();
    const t0 = performance.now();
    await p.goto(tablePath, { timeout: 600_000 });
    await p.locator('[data-testid^="snapshot-row-"]').first().waitFor({ timeout: 600_000 });
    record.note(
      `table: the very first load of the ${UI_REPO_SNAPSHOTS}-snapshot repository (restic snapshots over all of them, then cached) took ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    await c.close();
  }
  // One measured load in a fresh browser context. `reads`: 'warm' finds OpenNebula's answers in
  // the server's read cache, 'expired' waits past it, so the page runs its OpenNebula CLI calls.
  // An entry of the read cache lives from when it was read, and a hit does not renew it. Warm
  // loads run in windows: a server process started with a 99 s read cache (the longest the
  // configuration allows; its cache starts empty), the page requested once, which reads every
  // answer the page needs, then loads until 10 s before those answers expire.
  const readCacheMs = DEFAULT_ONE_READ_CACHE_SECONDS * 1000;
  const wait = (ms: number) => (ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve());
  let lastRequest = performance.now();
  let windowEnds = 0;
  let windows = 0;
  const openWindow = async () => {
    await stopApp(STATE);
    s.app = await startApp(STATE, {
      extraEnv: { BACKSTONE_ONE_READ_CACHE_SECONDS: String(LONGEST_READ_CACHE_SECONDS) },
    });
    const c = await fresh();
    const primed = performance.now();
    const r = await c.request.get(tablePath);
    if (!r.ok()) throw new Error(`priming the table page: HTTP ${r.status()}`);
    await c.close();
    windowEnds = primed + (LONGEST_READ_CACHE_SECONDS - 10) * 1000;
    windows++;
    // A few loads first, not counted: the fresh server process's code is still being optimized.
    for (let i = 0; i < TABLE_WARM_UP_LOADS; i++) await loadTable('warm');
  };
  const loadTable = async (reads: 'warm' | 'expired'): Promise<TableLoad> => {
    if (reads === 'warm' && performance.now() > windowEnds) await openWindow();
    const c = await fresh();
    await quiet();
    if (reads === 'expired') await wait(lastRequest + readCacheMs + 1_000 - performance.now());
    const p = await c.newPage();
    // The first animation frame with a snapshot row, timed in the page (a frame callback runs
    // right before that frame is painted), so no round trip to the test driver is counted.
    await p.addInitScript(() => {
      const w = window as unknown as { __firstRowFrame?: number };
      const frame = () => {
        if (document.querySelector('[data-testid^="snapshot-row-"]')) w.__firstRowFrame = performance.now();
        else requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
    });
    await p.goto(tablePath, { waitUntil: 'commit', timeout: 120_000 });
    await p.waitForFunction(() => (window as unknown as { __firstRowFrame?: number }).__firstRowFrame, null, {
      timeout: 120_000,
    });
    await p.waitForLoadState('load');
    await p.waitForTimeout(300);
    const m = await p.evaluate(() => {
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming | undefined;
      return {
        at: (window as unknown as { __firstRowFrame: number }).__firstRowFrame,
        fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN,
        ttfb: nav?.responseStart ?? NaN,
        trs: document.querySelectorAll('[data-testid="snapshots-table"] tr').length,
        shown: document.querySelector('[data-testid="snapshots-table-count"]')?.textContent ?? '',
        html: nav?.decodedBodySize ?? 0,
      };
    });
    lastRequest = performance.now();
    await c.close();
    return m;
  };
  // Loads of one run spread from ~0.15 to ~0.45 s (the server's render and the browser's, on
  // shared cores): enough of them that the median stays put between runs.
  const warmStarted = performance.now();
  const warmLoads = [];
  for (let i = 0; i < TABLE_LOADS; i++) warmLoads.push(await loadTable('warm'));
  const warmSeconds = (performance.now() - warmStarted) / 1000;
  // The rest on a fresh server process with the default read cache, so its memory is that of
  // this run only.
  await stopApp(STATE);
  s.app = await startApp(STATE);
  for (let i = 0; i < TABLE_WARM_UP_LOADS; i++) await loadTable('expired');
  const expiredLoads = [];
  for (let i = 0; i < TABLE_LOADS_EXPIRED; i++) expiredLoads.push(await loadTable('expired'));
  const rowsPainted = warmLoads.map((l) => l.at);
  const rowCounts = [...warmLoads, ...expiredLoads].map((l) => l.trs);
  const last = warmLoads.at(-1)!;
  record.figure(
    msFigure(
      {
        id: 'table-first-paint',
        what: `${UI_REPO_SNAPSHOTS}-row snapshot table in Chromium: first snapshot rows painted (navigation start to the first frame with a row; fresh browser cache, warm server)`,
        target: '<= 1.5 s',
        note: `first contentful paint ${median(warmLoads.map((l) => l.fcp)).toFixed(0)} ms, first byte of the page ${median(warmLoads.map((l) => l.ttfb)).toFixed(0)} ms (medians); the table says "${last.shown.trim()}"; the page's HTML (server-rendered with the first screen of rows, and the newest 200 snapshots' data for the client table, which fetches the rest after the first paint) is ${(last.html / 1e6).toFixed(1)} MB uncompressed. Warm server: ${warmLoads.length} loads in ${warmSeconds.toFixed(0)} s, in ${windows} window(s) of a fresh server process with a ${LONGEST_READ_CACHE_SECONDS} s read cache, each opened by one request of the page (so OpenNebula's answers were fresh in its read cache for every load) and ${TABLE_WARM_UP_LOADS} loads not counted`,
      },
      rowsPainted,
      1_500,
    ),
    msFigure(
      {
        id: 'table-first-paint-reads-expired',
        what: `the same, once the OpenNebula read cache (${DEFAULT_ONE_READ_CACHE_SECONDS} s) has expired: the page runs its OpenNebula CLI calls`,
        target: '— (informative)',
        note: `first byte of the page ${median(expiredLoads.map((l) => l.ttfb)).toFixed(0)} ms (median)`,
      },
      expiredLoads.map((l) => l.at),
    ),
    {
      id: 'table-dom-rows',
      what: `${UI_REPO_SNAPSHOTS}-row snapshot table: row elements (tr) in the DOM after load`,
      target: '<= 200',
      value: Math.max(...rowCounts),
      unit: 'rows',
      met: Math.max(...rowCounts) <= 200,
    },
  );
}

/** First-load JavaScript per route, from the build's manifests and as Chromium received it. */
export async function routeFigures(
  s: AppSession,
  info: Info,
  diskSnapshotId: string,
  log: (s: string) => void,
  record: Recorder,
): Promise<void> {
  const { browser, fresh, contexts } = s;
  const tablePath = tablePathOf(info);
  // 2. First-load JavaScript per route: the build's manifests (gzip -9), and what Chromium received.
  log('first-load JavaScript per route');
  const fromManifests = manifestJs();
  const routes = new Map<string, RouteJs>();
  for (const [page, s] of fromManifests)
    routes.set(routeOf(page), { route: routeOf(page), manifestGzipBytes: s.gzip, manifestRawBytes: s.raw });
  const visits: [string, string][] = [
    ['/login', '/login'],
    ['/', '/'],
    ['/datastores', '/datastores'],
    ['/datastores/new', '/datastores/new'],
    ['/datastores/[id]', `/datastores/${info.datastoreId}`],
    ['/datastores/[id]/repos/[repo]', tablePath],
    [
      '/datastores/[id]/repos/[repo]/snapshots/[snap]',
      `/datastores/${info.datastoreId}/repos/${DISK_REPO}/snapshots/${diskSnapshotId}`,
    ],
    ['/jobs', '/jobs'],
    ['/audit', '/audit'],
  ];
  for (const [route, path] of visits) {
    const c = route === '/login' ? await browser.newContext({ baseURL: s.app.url }) : await fresh();
    contexts.push(c);
    const p = await c.newPage();
    const scripts: Promise<number>[] = [];
    p.on('requestfinished', (req) => {
      if (req.resourceType() === 'script') scripts.push(req.sizes().then((s) => s.responseBodySize));
    });
    // Warm on the server first (a cold overview runs restic 200 times), then measured in a fresh context.
    if (route !== '/login') {
      const w = await (await fresh()).newPage();
      await w.goto(path, { waitUntil: 'load', timeout: 300_000 });
    }
    await p.goto(path, { waitUntil: 'networkidle', timeout: 300_000 });
    const sizes = await Promise.all(scripts);
    const r = routes.get(route) ?? { route };
    r.browserBytes = sizes.reduce((a, b) => a + b, 0);
    r.scripts = sizes.length;
    routes.set(route, r);
    await c.close();
  }
  const all = [...routes.values()].sort((a, b) => a.route.localeCompare(b.route));
  record.routes(all);
  const worst = Math.max(...all.map((r) => r.manifestGzipBytes ?? 0));
  record.figure({
    id: 'first-load-js',
    what: `first-load JavaScript, the heaviest of ${all.length} routes (build manifests, gzip -9)`,
    target: '<= 180 kB gzip',
    value: worst / KB,
    unit: 'kB gzip',
    met: worst <= 180 * KB,
  });
}

/** The 1 GiB download through the download route: throughput against the raw dump, server memory. */
export async function downloadFigures(
  s: AppSession,
  info: Info,
  diskSnapshotId: string,
  { rawDump, intoFile, quiet }: BenchTools,
  log: (s: string) => void,
  record: Recorder,
): Promise<void> {
  const { cookie } = s;
  // 3. Server memory during a 1 GiB download through the download route, sampled from /proc.
  log('1 GiB download through the download route: server memory from /proc');
  const url = `${s.app.url}/api/datastores/${info.datastoreId}/repos/${DISK_REPO}/snapshots/${diskSnapshotId}/download/disk.0.0`;
  const pid = runningPid(sandboxPaths(STATE), 'app');
  if (pid === undefined) throw new Error('the app is not running');
  const idle = treeRssBytes(pid);
  const times: number[] = [];
  // The raw dump runs right before each download, so both see the same machine.
  const rawTimes: number[] = [];
  const growth: number[] = [];
  // The server process alone: the tree also holds the OpenNebula CLI processes the request's
  // access check runs (each tens of MiB while it lives), which are not download buffers.
  const mainGrowth: number[] = [];
  let peakTotal = 0;
  let processes = 0;
  // Run 0 is the server's first download: it also pays one-time setup (modules, the SSH
  // connection), so it is reported apart and the DOWNLOADS after it are the figures (seven: the
  // route's and the raw dump's samples each spread by ~20% within a run).
  const firstMainGrowth: number[] = [];
  for (let i = 0; i <= DOWNLOADS; i++) {
    if (i > 0) {
      await quiet();
      rawTimes.push(await time(rawDump));
    }
    await quiet();
    const start = treeRssBytes(pid);
    const before = start.total;
    let peak = before;
    let mainPeak = start.main;
    const timer = setInterval(() => {
      const s = treeRssBytes(pid);
      peak = Math.max(peak, s.total);
      mainPeak = Math.max(mainPeak, s.main);
      processes = Math.max(processes, s.processes);
    }, 50);
    const t0 = performance.now();
    let ms = 0;
    await intoFile(async (file) => {
      await download(url, cookie, file);
      ms = performance.now() - t0;
    });
    clearInterval(timer);
    if (i === 0) {
      firstMainGrowth.push(mainPeak - start.main);
      continue;
    }
    times.push(ms);
    growth.push(peak - before);
    mainGrowth.push(mainPeak - start.main);
    peakTotal = Math.max(peakTotal, peak);
  }
  const MiB = 1024 * 1024;
  record.figure(
    {
      id: 'download-route',
      what: '1 GiB disk through the download route (HTTP, signed in) vs raw ssh restic dump',
      target: '>= 0.9x raw throughput',
      backstoneMs: times,
      baselineMs: rawTimes,
      value: median(rawTimes) / median(times),
      unit: 'x raw throughput',
      met: median(rawTimes) / median(times) >= 0.9,
      note: `${(1024 / (median(times) / 1000)).toFixed(0)} MiB/s through HTTP`,
    },
    {
      id: 'download-memory',
      what: 'server memory growth during a 1 GiB download (RSS of the server process from /proc/<pid>/status, sampled every 50 ms)',
      target: '<= 64 MB',
      value: Math.max(...mainGrowth) / MiB,
      unit: `MiB (largest of ${DOWNLOADS})`,
      met: Math.max(...mainGrowth) <= 64 * MiB,
      note: `growth per download ${mainGrowth.map((g) => (g / MiB).toFixed(1)).join(', ')} MiB; the server's first download (not counted) ${(firstMainGrowth[0]! / MiB).toFixed(0)} MiB, one-time setup. RSS before it ${(idle.main / MiB).toFixed(0)} MiB`,
    },
    {
      id: 'download-memory-tree',
      what: 'the same with the processes the server starts (OpenNebula CLI calls of the request’s access check, each short-lived)',
      target: '— (informative)',
      value: Math.max(...growth) / MiB,
      unit: `MiB (largest of ${DOWNLOADS})`,
      note: `up to ${processes} processes; peak ${(peakTotal / MiB).toFixed(0)} MiB; growth per download ${growth.map((g) => (g / MiB).toFixed(0)).join(', ')} MiB. The CLI processes would run for a 1 KiB download too: they are the read of the datastore, its images and VMs that decides whether the snapshot may be read`,
    },
  );
}
