// npm run bench:load: signed-in clients browse the datastores overview, a datastore, its
// repositories, their maintenance pages (admins) and snapshots against a production build on
// loopback: one run of 50 concurrent clients, then one of 200, 60 s each; then the stalled-download
// phase (stall.ts: 12 downloads above every limit, stalled, while 10 clients browse). Every request's status and
// latency is recorded; any error (network, timeout, non-200, an error page) fails the run; answers
// that say they show stale data or are still reading are good answers, counted apart. Writes
// bench/load-report.{md,json} and stops everything it started, by PID.
import { chmodSync, existsSync, mkdirSync, openSync, readFileSync, readSync, closeSync, statSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { format, resolveConfig } from 'prettier';
import { runningPid } from '../../sandbox/common/pids';
import { waitFor } from '../../sandbox/common/process';
import { repoRoot, sandboxPaths } from '../../sandbox/common/state';
import { startFrontend, type FrontendInfo } from '../../sandbox/opennebula/frontend';
import { seedDemoCloud, type SeedReport } from '../../sandbox/seed/seed-demo-cloud';
import { stopSandbox } from '../../sandbox/status';
import { buildApp, buildIsFresh, startApp, stopApp } from '../../scripts/app-server';
import { HttpClient, signInThroughForm } from './client';
import { steps, targetsFor, verdict, partial, type Target } from './browse';
import {
  figures,
  markdown,
  rssFigures,
  timeline,
  type LoadReport,
  type RunReport,
  type Sample,
  type StallReport,
} from './stats';
import {
  dumpProcesses,
  finishStalled,
  largestDisk,
  prepareStallFixture,
  spread,
  startStalledDownload,
  type OpenDownload,
  type StallFixture,
} from './stall';

const { values } = parseArgs({
  options: {
    state: { type: 'string' },
    // One run per count, one after another, against the same app.
    clients: { type: 'string', default: '50,200' },
    seconds: { type: 'string', default: '60' },
    'timeout-ms': { type: 'string', default: '60000' },
    'keep-running': { type: 'boolean', default: false },
    // The stalled-download phase, after the runs (stall.ts); --no-stall leaves it out.
    stall: { type: 'boolean', default: true },
    'stall-downloads': { type: 'string', default: '12' },
    'stall-clients': { type: 'string', default: '10' },
    'stall-seconds': { type: 'string', default: '30' },
    'stall-idle-seconds': { type: 'string', default: '35' },
    'stall-per-server': { type: 'string', default: '5' },
  },
  allowNegative: true,
});
const stateDir = values.state ?? join(repoRoot, '.bench', 'load-state');
const CLIENT_RUNS = values.clients.split(',').map(Number);
const CLIENTS = Math.max(...CLIENT_RUNS);
const SECONDS = Number(values.seconds);
const TIMEOUT_MS = Number(values['timeout-ms']);
// Signing in runs two OpenNebula commands each; a few at a time, as people arriving would.
const SIGN_IN_CONCURRENCY = 4;
// However fast the answers, a client sends at most this many requests in a run.
const MAX_REQUESTS_PER_CLIENT = 5_000;

const STALL = {
  downloads: Number(values['stall-downloads']),
  clients: Number(values['stall-clients']),
  seconds: Number(values['stall-seconds']),
  idleSeconds: Number(values['stall-idle-seconds']),
  // Below 3 x the per-user limit (the sandbox has 3 accounts), so the per-server limit refuses too.
  perServer: Number(values['stall-per-server']),
};
// The per-user limit stays the default (2); the downloads' share of each account, round robin.
const STALL_PER_USER = 2;
// A dump must be gone within this long of the idle bound (the target: every `restic dump` of a
// stalled download gone within 5 s); waited for up to 30 s more.
const DUMPS_GONE_TARGET_MS = 5_000;
const DUMPS_GONE_WAIT_MS = 30_000;

const say = (s: string) => console.log(`bench:load: ${s}`);

/** Runs `fn` over `items` with at most `limit` at once. */
async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

// --- the app process ---------------------------------------------------------------------------

function procStatus(pid: number): { rssKiB: number; hwmKiB: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(text)?.[1] ?? NaN);
    return { rssKiB: kib('VmRSS'), hwmKiB: kib('VmHWM') };
  } catch {
    return undefined;
  }
}

/** CPU seconds (user + system) the process has used itself, and its ended children (the CLI calls). */
function cpuSeconds(pid: number): { own: number; children: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after "(comm) ": state is [0]; utime, stime, cutime, cstime are [11]..[14], in USER_HZ (100).
  const f = stat
    .slice(stat.lastIndexOf(')') + 2)
    .split(' ')
    .map(Number);
  return { own: (f[11]! + f[12]!) / 100, children: (f[13]! + f[14]!) / 100 };
}

function logSince(file: string, offset: number): string {
  if (!existsSync(file)) return '';
  const size = statSync(file).size;
  if (size <= offset) return '';
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(size - offset);
    readSync(fd, buf, 0, buf.length, offset);
    return buf.toString('utf8');
  } finally {
    closeSync(fd);
  }
}

// --- one run --------------------------------------------------------------------------------

// Every request of every run, for a closer look (bench/work/ is not committed).
const samplesByRun: Record<string, Sample[]> = {};

/** `clients` clients loop over their steps for SECONDS; the figures of that run. */
async function runOnce(
  http: HttpClient,
  clients: number,
  cookies: readonly string[],
  who: readonly { name: string }[],
  targets: ReadonlyMap<string, Target[]>,
  ds: number,
  pid: number,
  appLog: string,
  admins: ReadonlySet<string>,
  seconds: number = SECONDS,
  label: string = String(clients),
): Promise<RunReport> {
  // Memory and CPU of the app process while the clients run.
  const rss: number[] = [];
  let hwmKiB = 0;
  const sampleMemory = () => {
    const s = procStatus(pid);
    if (s) {
      rss.push(s.rssKiB);
      hwmKiB = s.hwmKiB;
    }
  };
  const logOffset = existsSync(appLog) ? statSync(appLog).size : 0;
  const cpuAtStart = cpuSeconds(pid);
  sampleMemory();
  const sampler = setInterval(sampleMemory, 500);

  const samples: Sample[] = [];
  samplesByRun[label] = samples;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let progress = 0;
  const ticker = setInterval(() => {
    progress += 10;
    const errors = samples.filter((s) => s.error !== undefined).length;
    say(
      `${clients} clients, ${progress} s: ${samples.length} requests, ${errors} errors, RSS ${Math.round((rss.at(-1) ?? 0) / 1024)} MiB`,
    );
  }, 10_000);

  await Promise.all(
    cookies.map(async (cookie, client) => {
      const user = who[client]!.name;
      const mine = targets.get(user)!;
      let sent = 0;
      for (let k = 0; performance.now() < deadline && sent < MAX_REQUESTS_PER_CLIENT; k++) {
        for (const step of steps(ds, mine[(client + k) % mine.length]!, { admin: admins.has(user) })) {
          if (performance.now() >= deadline || sent >= MAX_REQUESTS_PER_CLIENT) break;
          sent++;
          const at = performance.now() - started;
          const t0 = performance.now();
          try {
            const r = await http.send('GET', step.path, { cookie, timeoutMs: TIMEOUT_MS });
            const error = verdict(step, r);
            samples.push({
              endpoint: step.endpoint,
              status: r.status,
              ms: r.ms,
              at,
              ...(error ? { error } : {}),
              ...(partial(step, r) ? { partial: true } : {}),
            });
          } catch (err) {
            const error =
              err instanceof Error ? `${(err as NodeJS.ErrnoException).code ?? ''} ${err.message}` : String(err);
            samples.push({ endpoint: step.endpoint, status: 0, ms: performance.now() - t0, at, error: error.trim() });
          }
        }
      }
    }),
  );
  const measuredSeconds = Math.round((performance.now() - started) / 100) / 10;
  clearInterval(ticker);
  clearInterval(sampler);
  sampleMemory();
  const cpuAtEnd = cpuSeconds(pid);

  const logText = logSince(appLog, logOffset);
  const errorLines = logText.split('\n').filter((l) => /"level":"error"|⨯|\bError\b/.test(l));
  if (errorLines.length) {
    say(`app log error lines during the ${clients}-client run (first 5 of ${errorLines.length}):`);
    for (const l of errorLines.slice(0, 5)) console.log(`  ${l.slice(0, 300)}`);
  }

  const perEndpoint: Record<string, ReturnType<typeof figures>> = {};
  for (const endpoint of [...new Set(samples.map((s) => s.endpoint))]) {
    perEndpoint[endpoint] = figures(
      samples.filter((s) => s.endpoint === endpoint),
      measuredSeconds,
    );
  }
  const statuses: Record<string, number> = {};
  for (const s of samples) statuses[s.status || 'network error'] = (statuses[s.status || 'network error'] ?? 0) + 1;
  const errors = samples.filter((s) => s.error !== undefined);
  return {
    clients,
    durationSeconds: seconds,
    measuredSeconds,
    timeoutMs: TIMEOUT_MS,
    endpoints: [...new Set(samples.map((s) => s.endpoint))],
    totals: figures(samples, measuredSeconds),
    perEndpoint,
    timeline: timeline(samples),
    statuses,
    errors: {
      count: errors.length,
      examples: errors.slice(0, 10).map((e) => ({ endpoint: e.endpoint, status: e.status, error: e.error! })),
    },
    rss: {
      ...rssFigures(rss),
      peakKiB: Math.max(hwmKiB, ...rss),
      source: `VmRSS of /proc/${pid}/status every 500 ms, peak from VmHWM`,
    },
    cpu: {
      appSeconds: Math.round((cpuAtEnd.own - cpuAtStart.own) * 10) / 10,
      commandsSeconds: Math.round((cpuAtEnd.children - cpuAtStart.children) * 10) / 10,
    },
    serverLogErrors: errorLines.length,
  };
}

// --- the stalled-download phase ------------------------------------------------------------------

/**
 * The app restarted with a short idle bound (and a per-server limit the 3 sandbox accounts can
 * exceed), STALL.downloads downloads started one after another over the accounts, each stalled
 * after 1 MiB; then STALL.clients clients browse for STALL.seconds while the dumps are held; then
 * the time until no `restic dump` remains on the backup server, counted from the idle bound.
 */
async function stallPhase(
  frontend: FrontendInfo,
  fixture: StallFixture,
  targets: ReadonlyMap<string, Target[]>,
  ds: number,
  admins: ReadonlySet<string>,
): Promise<StallReport> {
  const paths = sandboxPaths(stateDir);
  const env: Record<string, string> = {
    BACKSTONE_DOWNLOAD_IDLE_SECONDS: String(STALL.idleSeconds),
    BACKSTONE_DOWNLOADS_PER_SERVER: String(STALL.perServer),
  };
  await stopApp(stateDir);
  const app = await startApp(stateDir, { extraEnv: env });
  const pid = runningPid(paths, 'app');
  if (pid === undefined) throw new Error('the app for the stall phase is not running');
  say(`stall phase: app ${app.url} (PID ${pid}) with ${JSON.stringify(env)}`);
  const http = new HttpClient(app.url, STALL.clients + frontend.accounts.length);
  const open: OpenDownload[] = [];
  try {
    const accounts = frontend.accounts;
    const downloaders = await pool(accounts, SIGN_IN_CONCURRENCY, (a) => signInThroughForm(http, a.name, a.password));
    const who = spread(accounts, STALL.clients);
    const cookies = await pool(who, SIGN_IN_CONCURRENCY, (a) => signInThroughForm(http, a.name, a.password));
    const files = await Promise.all(
      accounts.map((a, i) => largestDisk(http, downloaders[i]!, fixture.datastoreId, TIMEOUT_MS)),
    );
    // The browsing clients' pages once each, so the phase compares with the runs' warm state, not
    // with this fresh process's first OpenNebula reads.
    await Promise.all(
      accounts.map(async (a, i) => {
        const t = targets.get(a.name)![0]!;
        for (const step of steps(ds, t, { admin: admins.has(a.name) }))
          await http.send('GET', step.path, { cookie: downloaders[i]!, timeoutMs: TIMEOUT_MS });
      }),
    );

    const order = spread(
      accounts.map((a, i) => ({ user: a.name, cookie: downloaders[i]!, path: files[i]!.path })),
      STALL.downloads,
    );
    for (const d of order) open.push(await startStalledDownload(app.url, d.path, d.user, d.cookie, TIMEOUT_MS));
    const stalled = open.filter((o) => o.result.stalledAt !== undefined);
    const lastStall = Math.max(0, ...stalled.map((o) => o.result.stalledAt!));
    // The stalled downloads' dumps; the browsing clients' snapshot pages run short dumps of their own.
    const stallRepos = [...new Set(files.map((f) => f.repo))];
    const dumpsWhenStalled = dumpProcesses(stateDir, stallRepos).length;
    say(
      `stall phase: ${stalled.length} downloads stalled, ${open.filter((o) => o.result.status === 429).length} refused, ` +
        `${dumpsWhenStalled} restic dump running; ${STALL.clients} clients browse for ${STALL.seconds} s`,
    );

    // Dumps running while the others browse, sampled before the first download's idle bound only
    // (browsing may overrun it); the last download's idle bound is the one the end is timed from.
    const firstStall = Math.min(...stalled.map((o) => o.result.stalledAt!));
    const idleBound = lastStall + STALL.idleSeconds * 1000;
    const during: number[] = [];
    const sampler = setInterval(() => {
      if (Date.now() < firstStall + STALL.idleSeconds * 1000 - 500)
        during.push(dumpProcesses(stateDir, stallRepos).length);
    }, 500);
    let browse: RunReport;
    try {
      browse = await runOnce(
        http,
        STALL.clients,
        cookies,
        who,
        targets,
        ds,
        pid,
        app.log,
        admins,
        STALL.seconds,
        'stall',
      );
    } finally {
      clearInterval(sampler);
    }

    // Every dump (the browsing is over: any of the sandbox's) should end within DUMPS_GONE_TARGET_MS
    // of the idle bound; waited for, bounded.
    let goneAt: number | undefined;
    if (stalled.length === 0) goneAt = Date.now();
    else
      await waitFor(
        () => {
          if (dumpProcesses(stateDir).length > 0) return false;
          goneAt = Date.now();
          return true;
        },
        Math.max(0, idleBound + DUMPS_GONE_WAIT_MS - Date.now()),
        50,
      );
    const goneAfter = goneAt === undefined ? null : goneAt - idleBound;
    say(
      `stall phase: restic dump ${goneAfter === null ? 'still running' : `gone ${goneAfter} ms after the idle bound`}`,
    );

    // How each stalled download ended, seen from the client once it reads again.
    await Promise.all(stalled.map((o) => finishStalled(o, 10_000)));
    const results = open.map((o) => o.result);
    const refused = results.filter((r) => r.status === 429);
    const refusedByScope: Record<string, number> = {};
    for (const r of refused) refusedByScope[r.scope ?? 'unknown'] = (refusedByScope[r.scope ?? 'unknown'] ?? 0) + 1;
    const byUser: Record<string, number> = {};
    for (const d of order) byUser[d.user] = (byUser[d.user] ?? 0) + 1;
    const otherFailures = results.flatMap((r) => (r.error ? [`${r.user}: ${r.error}`] : []));
    const withRetryAfter = refused.filter((r) => r.retryAfter !== undefined && Number(r.retryAfter) > 0).length;
    const expectedAdmitted = Math.min(STALL.perServer, accounts.length * STALL_PER_USER, STALL.downloads);
    const report: StallReport = {
      app: {
        url: app.url,
        pid,
        idleSeconds: STALL.idleSeconds,
        perUser: STALL_PER_USER,
        perServer: STALL.perServer,
        env,
      },
      file: {
        datastoreId: fixture.datastoreId,
        sizeBytes: Object.fromEntries(accounts.map((a, i) => [a.name, files[i]!.size])),
      },
      requests: order.length,
      byUser,
      admitted: stalled.length,
      refused: refused.length,
      refusedWithRetryAfter: withRetryAfter,
      refusedByScope,
      otherFailures,
      dumpsWhenStalled,
      dumpsDuringBrowse: {
        samples: during.length,
        min: during.length ? Math.min(...during) : 0,
        max: during.length ? Math.max(...during) : 0,
      },
      browse,
      dumpsGoneAfterIdleBoundMs: goneAfter,
      dumpsGoneWaitBoundMs: DUMPS_GONE_WAIT_MS,
      downloads: results.map((r) => ({
        user: r.user,
        status: r.status,
        ms: r.ms,
        ...(r.retryAfter !== undefined ? { retryAfter: r.retryAfter } : {}),
        ...(r.scope ? { scope: r.scope } : {}),
        ...(r.readBytes !== undefined ? { readBytes: r.readBytes } : {}),
        ...(r.ended ? { ended: r.ended } : {}),
        ...(r.error ? { error: r.error } : {}),
      })),
      targets: [
        {
          what: 'downloads over a limit refused with 429 + Retry-After, both limits',
          target: `${STALL.downloads - expectedAdmitted} refused, each with Retry-After; user and server both named`,
          value: `${refused.length} refused, ${withRetryAfter} with Retry-After; ${Object.entries(refusedByScope)
            .map(([k, n]) => `${k} x ${n}`)
            .join(', ')}`,
          met:
            refused.length === STALL.downloads - expectedAdmitted &&
            withRetryAfter === refused.length &&
            (refusedByScope.user ?? 0) > 0 &&
            (refusedByScope.server ?? 0) > 0 &&
            otherFailures.length === 0,
        },
        {
          what: 'admitted downloads stalled, each holding a restic dump while the others browse',
          target: `${expectedAdmitted} stalled, ${expectedAdmitted} restic dump throughout`,
          value: `${stalled.length} stalled, ${dumpsWhenStalled} at the stall, ${dumpRange(during)} while browsing`,
          met:
            stalled.length === expectedAdmitted &&
            dumpsWhenStalled === expectedAdmitted &&
            during.length > 0 &&
            during.every((n) => n === expectedAdmitted),
        },
        {
          what: "other clients' pages during the stall",
          target: 'p95 <= 2000 ms, 0 errors',
          value: `p95 ${browse.totals.p95} ms, ${browse.errors.count} errors of ${browse.totals.count}`,
          met: browse.totals.p95 <= 2000 && browse.errors.count === 0,
        },
        {
          what: 'every restic dump gone after the idle bound',
          target: `within ${DUMPS_GONE_TARGET_MS} ms`,
          value: goneAfter === null ? `still running ${DUMPS_GONE_WAIT_MS} ms after it` : `${goneAfter} ms`,
          met: goneAfter !== null && goneAfter <= DUMPS_GONE_TARGET_MS,
        },
      ],
    };
    return report;
  } finally {
    // Our side of every download closed, stalled or not (by now the app has ended the stalled ones).
    for (const o of open) o.req.destroy();
    http.close();
  }
}

function dumpRange(xs: readonly number[]): string {
  return xs.length ? `${Math.min(...xs)}..${Math.max(...xs)}` : 'no samples';
}

// --- the run -----------------------------------------------------------------------------------

async function main(): Promise<number> {
  if (!(CLIENT_RUNS.every((c) => Number.isInteger(c) && c > 0 && c <= 500) && SECONDS > 0 && TIMEOUT_MS > 0))
    throw new Error('--clients (a list such as 50,200, each 1..500), --seconds and --timeout-ms must be > 0');
  if (SECONDS > 600) throw new Error('--seconds is at most 600');
  const whole = (n: number, max: number) => Number.isInteger(n) && n > 0 && n <= max;
  if (!(
    whole(STALL.downloads, 50) &&
    whole(STALL.clients, 100) &&
    whole(STALL.seconds, 600) &&
    whole(STALL.idleSeconds, 600) &&
    whole(STALL.perServer, 50)
  ))
    throw new Error(
      '--stall-downloads, --stall-clients, --stall-seconds, --stall-idle-seconds and --stall-per-server are whole numbers > 0',
    );
  // The others browse while the downloads are stalled, not after the idle bound ended them.
  if (STALL.seconds >= STALL.idleSeconds) throw new Error('--stall-seconds must be below --stall-idle-seconds');
  const loadAtStart = loadavg().map((l) => Math.round(l * 100) / 100);
  mkdirSync(stateDir, { recursive: true, mode: 0o755 });
  chmodSync(stateDir, 0o755);
  const paths = sandboxPaths(stateDir);

  say(`sandbox in ${relative(repoRoot, paths.state) || paths.state}`);
  const frontend: FrontendInfo = await startFrontend(stateDir);
  const seedFile = join(paths.state, 'load-seed.json');
  const seeded = await seedDemoCloud(stateDir);
  if (seeded) writeFileSync(seedFile, JSON.stringify(seeded));
  if (!existsSync(seedFile)) throw new Error(`${seedFile} is missing: remove ${paths.state} and run again`);
  const seed = JSON.parse(readFileSync(seedFile, 'utf8')) as SeedReport;
  say(seeded ? `demo cloud seeded in ${seeded.seconds} s` : 'demo cloud already seeded');
  // Made before the runs (in a datastore of its own), so every run browses the same world.
  const fixture = values.stall
    ? await prepareStallFixture(
        stateDir,
        frontend,
        frontend.accounts.filter((a) => a.role !== 'admin').map((a) => a.name),
      )
    : undefined;
  if (fixture)
    say(`stall phase: large disks ${fixture.made ? 'backed up' : 'already there'} (datastore ${fixture.datastoreId})`);

  // The app measured is one this run starts, from a fresh build.
  await stopApp(stateDir);
  const fresh = buildIsFresh();
  if (!fresh) {
    say('building the app (next build)');
    await buildApp();
  }
  const app = await startApp(stateDir);
  const pid = runningPid(paths, 'app');
  if (pid === undefined) throw new Error('the app is not running');
  const buildId = readFileSync(join(repoRoot, '.next', 'BUILD_ID'), 'utf8').trim();
  say(`app ${app.url} (PID ${pid}, build ${buildId}${fresh ? ', reused' : ', new'})`);

  const http = new HttpClient(app.url, CLIENTS);
  try {
    // One session per client, through the real sign-in form, alternating the admin and the VM owner.
    const signInStarted = performance.now();
    const accounts = CLIENTS === 1 ? frontend.accounts.slice(0, 1) : frontend.accounts;
    const who = Array.from({ length: CLIENTS }, (_, i) => accounts[i % accounts.length]!);
    const cookies = await pool(who, SIGN_IN_CONCURRENCY, (a) => signInThroughForm(http, a.name, a.password));
    const signInSeconds = Math.round((performance.now() - signInStarted) / 100) / 10;
    const byUser: Record<string, number> = {};
    for (const a of who) byUser[a.name] = (byUser[a.name] ?? 0) + 1;
    say(`${cookies.length} sessions signed in (${signInSeconds} s)`);

    // What each person may see: their own repositories and snapshots, from the API.
    const ds = seed.datastoreId;
    const targets = new Map<string, Target[]>();
    for (const a of accounts) targets.set(a.name, await targetsFor(http, cookies[who.indexOf(a)]!, ds, TIMEOUT_MS));
    for (const [u, t] of targets)
      say(`${u} browses ${t.length} snapshots in ${new Set(t.map((x) => x.repo)).size} repositories`);

    const runs: RunReport[] = [];
    for (const clients of CLIENT_RUNS) {
      say(`run: ${clients} clients for ${SECONDS} s`);
      runs.push(
        await runOnce(
          http,
          clients,
          cookies.slice(0, clients),
          who.slice(0, clients),
          targets,
          ds,
          pid,
          app.log,
          new Set(frontend.accounts.filter((a) => a.role === 'admin').map((a) => a.name)),
        ),
      );
    }
    http.close();
    const adminNames = new Set(frontend.accounts.filter((a) => a.role === 'admin').map((a) => a.name));
    let stall: StallReport | undefined;
    if (fixture) {
      say(`stall phase: ${STALL.downloads} downloads, ${STALL.clients} clients for ${STALL.seconds} s`);
      stall = await stallPhase(frontend, fixture, targets, ds, adminNames);
    }
    const cpu = cpus();
    const report: LoadReport = {
      generatedAt: new Date().toISOString(),
      command: 'npm run bench:load',
      machine: {
        cpus: cpu.length,
        cpuModel: cpu[0]?.model ?? 'unknown',
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
        loadAverageAtStart: loadAtStart,
      },
      app: { url: app.url, pid, build: buildId },
      sessions: {
        how:
          'one session per client, each signed in through the login form (GET /login, then the form POSTed ' +
          'as multipart with its hidden server-action fields, as a browser without JavaScript does; 303 with the ' +
          'session cookie, then the landing page checked for the signed-in user), 4 at a time; the sign-in ' +
          'throttle (lib/auth/throttle.ts) counts failed sign-ins only, so every good one from one address passes',
        count: cookies.length,
        byUser,
        signInSeconds,
      },
      runs,
      ...(stall ? { stall } : {}),
      notes: [
        'CPU: per run, the CPU seconds the app process used and those of the commands it ran (the OpenNebula CLI and ' +
          'any other local command); sshd and restic on the backup server and this load generator share the same cores.',
        `The machine (${cpu.length} cores) is shared with other work: latencies are noisy between runs; the error count is what the run asserts.`,
        'A client runs its requests one after another (no think time), so N clients keep up to N requests in flight; ' +
          "each client cycles through every snapshot its user may see, starting at a different one; the admin's clients " +
          `also load the repository's maintenance page. A client sends at most ${MAX_REQUESTS_PER_CLIENT} requests per run.`,
        'Partial: a good answer that does not hold everything yet, as the pages answer within a bound (2 s for the ' +
          'backup server and restic) with what they know: a page saying it shows stale data or is still reading (it ' +
          'refreshes itself), or an API answer marked stale/reading or 503 "still reading" with Retry-After. Not errors.',
        'An error is a network error, no answer within the timeout, any status but 200 (redirects are not followed: a ' +
          'signed-in client is never redirected), a page without the signed-in shell or with the error page or an error ' +
          'digest, or JSON of the wrong shape.',
        'Latencies are from sending the request to the end of the body (pages are full HTML renders, as on a first visit).',
        ...(stall
          ? [
              'Stalled downloads: the app is restarted for this phase with a short idle bound (so the phase takes about a ' +
                'minute, not the default 60 s bound plus) and a per-server limit below 3 x the per-user one, as the sandbox has ' +
                'three accounts: so both limits refuse. The browsing clients are signed in as the same three accounts ' +
                '(their pages are not downloads: the limits do not apply to them). Their pages were loaded once ' +
                'before the downloads started, as the runs above had warmed them.',
            ]
          : []),
      ],
    };
    // Written as the repository's Prettier settings would format them, so `format:check` stays clean.
    const pretty = async (file: string, text: string) =>
      writeFileSync(file, await format(text, { ...(await resolveConfig(file)), filepath: file }));
    await pretty(join(repoRoot, 'bench', 'load-report.json'), JSON.stringify(report));
    await pretty(join(repoRoot, 'bench', 'load-report.md'), markdown(report));
    // Every request, for a closer look (bench/work/ is not committed).
    mkdirSync(join(repoRoot, 'bench', 'work'), { recursive: true });
    writeFileSync(join(repoRoot, 'bench', 'work', 'load-samples.json'), JSON.stringify(samplesByRun));
    console.log('');
    console.log(markdown(report).split('## Notes')[0]!.trim());
    console.log('');
    say('wrote bench/load-report.md, bench/load-report.json and bench/work/load-samples.json');
    return runs.some((r) => r.errors.count > 0) || (stall && stall.targets.some((t) => !t.met)) ? 1 : 0;
  } finally {
    http.close();
  }
}

let status = 1;
let stopping = false;
async function stopAll(): Promise<void> {
  if (stopping || values['keep-running']) return;
  stopping = true;
  const stopped = await stopSandbox(stateDir);
  say(stopped.length ? `stopped ${stopped.join(', ')}` : 'nothing left running');
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    void stopAll().then(() => process.exit(130));
  });
}
try {
  status = await main();
} catch (err) {
  console.error(`bench:load: ${err instanceof Error ? err.message : String(err)}`);
  status = 1;
} finally {
  await stopAll();
}
process.exit(status);
