// The health home page (/) and the VMs list (/vms) with 2,000 VMs: server time of each page, warm
// and once the OpenNebula read cache has expired. They run on their own sandbox (.bench/vms-state:
// the seeded demo cloud, which holds every kind of problem the home page lists, plus MANY_VMS VMs
// added with sandbox/seed/many-vms.ts), built once and then only checked, so the step needs
// neither the benchmark dataset nor changes it. The app is the production build, started by
// scripts/app-server.ts on that sandbox as the table step starts it on the dataset's.
import { chmodSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { chromium } from '@playwright/test';
import { CHROMIUM_LAUNCH } from '@/scripts/test-support/chromium';
import { startApp, stopApp } from '../scripts/app-server';
import { readInfo, type AppInfo } from '../sandbox/common/info';
import { sandboxPaths } from '../sandbox/common/state';
import { frontendPaths } from '../sandbox/opennebula/paths';
import { readDb, withDb } from '../sandbox/opennebula/store/db';
import { addManyVms } from '../sandbox/seed/many-vms';
import { seedDemoCloud } from '../sandbox/seed/seed-demo-cloud';
import { signedInState } from './app';
import { MANY_VMS, VMS_STATE } from './dataset';
import {
  LONGEST_READ_CACHE_SECONDS,
  median,
  msFigure,
  PAGE_EXPIRED_LOADS,
  PAGE_QUIET_EVERY,
  PAGE_ROUNDS,
  PAGE_WARM_UP_LOADS,
} from './measure';
import type { Recorder } from './worker';
import { DEFAULT_ONE_READ_CACHE_SECONDS } from '@/lib/config';

const BULK_PREFIX = 'bench-vm';

/** Seeds the sandbox the first time, then checks it holds exactly MANY_VMS bulk VMs. */
async function ensureVmsSandbox(log: (s: string) => void): Promise<{ vms: number }> {
  const t0 = performance.now();
  // The backup account reaches the state folder through .bench, as with the dataset's.
  mkdirSync(VMS_STATE, { recursive: true });
  chmodSync(dirname(VMS_STATE), 0o755);
  chmodSync(VMS_STATE, 0o755);
  const seeded = await seedDemoCloud(VMS_STATE);
  if (seeded) log(`seeded the demo cloud into ${VMS_STATE} in ${seeded.seconds} s (once)`);
  const paths = frontendPaths(VMS_STATE);
  const bulk = (name: string) => name.startsWith(`${BULK_PREFIX}-`);
  const present = readDb(paths).vms.filter((v) => bulk(v.name)).length;
  if (present !== MANY_VMS) {
    // A run stopped while adding them left some: start again from none.
    if (present) withDb(paths, (db) => void (db.vms = db.vms.filter((v) => !bulk(v.name))));
    log(`adding ${MANY_VMS.toLocaleString('en')} VMs (once)`);
    addManyVms(VMS_STATE, { count: MANY_VMS, prefix: BULK_PREFIX });
  }
  const vms = readDb(paths).vms.length;
  log(`the VMs sandbox holds ${vms.toLocaleString('en')} VMs (checked in ${Math.round(performance.now() - t0)} ms)`);
  return { vms };
}

/** One page load through the bench's own HTTP client: the server's time to the response's end. */
type PageLoad = { ms: number; ttfb: number; bytes: number; complete: boolean };

type Page = {
  id: 'home' | 'vms';
  path: string;
  /** The page shows the whole answer (nothing still being read, nothing stale). */
  complete: (html: string) => boolean;
};

const PAGES: Page[] = [
  {
    id: 'home',
    path: '/',
    complete: (html) =>
      html.includes('data-testid="protection-summary"') && !html.includes('data-testid="health-reading"'),
  },
  {
    id: 'vms',
    path: '/vms',
    complete: (html) => !html.includes('data-testid="still-reading"') && !html.includes('data-testid="stale-data"'),
  },
];

/**
 * The home page and /vms (MANY_VMS VMs): server time, warm and with the read cache expired. Each
 * load is one GET of the page's HTML by the bench's HTTP client (signed in, a kept-alive
 * connection), timed from the request to the response's last byte: the whole server render,
 * streamed parts included, without a browser's work.
 */
export async function pageFigures(quiet: () => Promise<void>, log: (s: string) => void, record: Recorder) {
  const { vms } = await ensureVmsSandbox(log);
  let app: AppInfo;
  const restart = async (extraEnv?: Record<string, string>) => {
    await stopApp(VMS_STATE);
    app = await startApp(VMS_STATE, extraEnv ? { extraEnv } : {});
  };
  await restart();
  const admin = (
    readInfo(sandboxPaths(VMS_STATE)).frontend as { accounts: { role: string; name: string; password: string }[] }
  ).accounts.find((a) => a.role === 'admin')!;
  let cookie: string;
  {
    const browser = await chromium.launch(CHROMIUM_LAUNCH);
    try {
      const state = await signedInState(browser, app!.url, admin.name, admin.password);
      cookie = state.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
    } finally {
      await browser.close();
    }
  }
  let lastRequest = performance.now();
  const load = async (page: Page): Promise<PageLoad> => {
    const t0 = performance.now();
    const res = await fetch(`${app.url}${page.path}`, { headers: { cookie }, redirect: 'manual' });
    const ttfb = performance.now() - t0;
    const html = await res.text();
    const ms = performance.now() - t0;
    lastRequest = performance.now();
    if (res.status !== 200) throw new Error(`GET ${page.path}: HTTP ${res.status}`);
    return { ms, ttfb, bytes: Buffer.byteLength(html), complete: page.complete(html) };
  };
  const wait = (ms: number) => (ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve());

  // The first loads after seeding read every repository with restic (in the background, the page
  // answering meanwhile): load the home page until it shows everything, so that every measured
  // load finds the catalog filled as it is on any later day.
  {
    const t0 = performance.now();
    const home = PAGES[0]!;
    for (let n = 1; ; n++) {
      const l = await load(home);
      if (l.complete) {
        record.note(
          `home and /vms: the server's first loads of the home page until it showed everything took ${((performance.now() - t0) / 1000).toFixed(1)} s (${n} load${n === 1 ? '' : 's'})`,
        );
        break;
      }
      if (performance.now() - t0 > 5 * 60_000) throw new Error('the home page still reads after 5 minutes');
      await wait(2_000);
    }
  }

  // Warm: windows of a fresh server process with the longest read cache the configuration allows
  // (its cache starts empty), each opened by one request of every page, which reads every answer
  // they need, then PAGE_WARM_UP_LOADS loads of each not counted (the process's code is still being
  // optimized), then rounds of one load of each page, the order turning round by round, until 10 s
  // before those answers expire. A quiet wait before every PAGE_QUIET_EVERY rounds.
  const warm = new Map<Page['id'], PageLoad[]>(PAGES.map((p) => [p.id, []]));
  let windowEnds = 0;
  let windows = 0;
  const openWindow = async () => {
    await restart({ BACKSTONE_ONE_READ_CACHE_SECONDS: String(LONGEST_READ_CACHE_SECONDS) });
    const primed = performance.now();
    for (const p of PAGES) await load(p);
    windowEnds = primed + (LONGEST_READ_CACHE_SECONDS - 10) * 1000;
    windows++;
    for (let i = 0; i < PAGE_WARM_UP_LOADS; i++) for (const p of PAGES) await load(p);
  };
  log(`home and /vms (${vms.toLocaleString('en')} VMs): ${PAGE_ROUNDS} warm loads of each`);
  const warmStarted = performance.now();
  for (let round = 0; round < PAGE_ROUNDS; round++) {
    if (performance.now() > windowEnds) await openWindow();
    if (round % PAGE_QUIET_EVERY === 0) await quiet();
    for (let k = 0; k < PAGES.length; k++) {
      const p = PAGES[(round + k) % PAGES.length]!;
      warm.get(p.id)!.push(await load(p));
    }
  }
  const warmSeconds = (performance.now() - warmStarted) / 1000;

  // Expired: a fresh server process with the default read cache; each load waits until the
  // answers the load before it read have expired (a second past the cache's life), so the page
  // runs its OpenNebula CLI calls. The pages take turns; a quiet wait before every
  // PAGE_QUIET_EVERY loads (the waits for the cache to expire let the machine rest as well).
  log(`home and /vms: ${PAGE_EXPIRED_LOADS} loads of each once the read cache has expired`);
  await restart();
  const readCacheMs = DEFAULT_ONE_READ_CACHE_SECONDS * 1000;
  const expired = new Map<Page['id'], PageLoad[]>(PAGES.map((p) => [p.id, []]));
  for (let i = 0; i < PAGE_WARM_UP_LOADS; i++) for (const p of PAGES) await load(p);
  for (let i = 0; i < PAGE_EXPIRED_LOADS * PAGES.length; i++) {
    if (i % PAGE_QUIET_EVERY === 0) await quiet();
    await wait(lastRequest + readCacheMs + 1_000 - performance.now());
    const p = PAGES[i % PAGES.length]!;
    expired.get(p.id)!.push(await load(p));
  }
  await stopApp(VMS_STATE);

  const incomplete = (loads: PageLoad[]) => loads.filter((l) => !l.complete).length;
  const facts = (loads: PageLoad[]) =>
    `first byte ${median(loads.map((l) => l.ttfb)).toFixed(0)} ms (median); HTML ${(median(loads.map((l) => l.bytes)) / 1e3).toFixed(0)} kB${incomplete(loads) ? `; ${incomplete(loads)} of ${loads.length} loads did not show the whole answer` : ''}`;
  const warmNote = (loads: PageLoad[]) =>
    `${facts(loads)}. ${loads.length} loads in ${windows} window(s) of a fresh server process with a ${LONGEST_READ_CACHE_SECONDS} s read cache, each opened by one request of each page (so OpenNebula's answers were fresh in its read cache for every load) and ${PAGE_WARM_UP_LOADS} loads of each not counted; both pages in ${warmSeconds.toFixed(0)} s`;
  const serverTime = `server time: the bench's HTTP client (signed in, kept-alive connection) from the request to the response's last byte`;
  const vmsWhat = `${vms.toLocaleString('en')} VMs (${MANY_VMS.toLocaleString('en')} added to the seeded cloud)`;
  record.figure(
    msFigure(
      {
        id: 'home-warm',
        what: `health home page (/), ${vmsWhat}, warm; ${serverTime}`,
        target: '<= 200 ms',
        note: warmNote(warm.get('home')!),
      },
      warm.get('home')!.map((l) => l.ms),
      200,
    ),
    msFigure(
      {
        id: 'home-warm-reads-expired',
        what: `the same, once the OpenNebula read cache (${DEFAULT_ONE_READ_CACHE_SECONDS} s) has expired: the page runs its OpenNebula CLI calls`,
        target: '— (informative)',
        note: facts(expired.get('home')!),
      },
      expired.get('home')!.map((l) => l.ms),
    ),
    msFigure(
      {
        id: 'vms-warm',
        what: `VMs list (/vms), ${vmsWhat}, warm; ${serverTime}`,
        target: '<= 200 ms',
        note: warmNote(warm.get('vms')!),
      },
      warm.get('vms')!.map((l) => l.ms),
      200,
    ),
    msFigure(
      {
        id: 'vms-warm-reads-expired',
        what: `the same, once the OpenNebula read cache (${DEFAULT_ONE_READ_CACHE_SECONDS} s) has expired`,
        target: '— (informative)',
        note: facts(expired.get('vms')!),
      },
      expired.get('vms')!.map((l) => l.ms),
    ),
  );
}
