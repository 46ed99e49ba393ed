// npm run bench:load: signed-in clients browse the datastores overview, a datastore, its
// repositories, their maintenance pages (admins) and snapshots against a production build on
// loopback: one run of 50 concurrent clients, then one of 200, 60 s each. Every request's status and
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
import { repoRoot, sandboxPaths } from '../../sandbox/common/state';
import { startFrontend, type FrontendInfo } from '../../sandbox/opennebula/frontend';
import { seedDemoCloud, type SeedReport } from '../../sandbox/seed/seed-demo-cloud';
import { stopSandbox } from '../../sandbox/status';
import { buildApp, buildIsFresh, startApp, stopApp } from '../../scripts/app-server';
import { HttpClient, signInThroughForm } from './client';
import { steps, targetsFor, verdict, partial, type Target } from './browse';
import { figures, markdown, rssFigures, timeline, type LoadReport, type RunReport, type Sample } from './stats';

const { values } = parseArgs({
  options: {
    state: { type: 'string' },
    // One run per count, one after another, against the same app.
    clients: { type: 'string', default: '50,200' },
    seconds: { type: 'string', default: '60' },
    'timeout-ms': { type: 'string', default: '60000' },
    'keep-running': { type: 'boolean', default: false },
  },
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
  samplesByRun[String(clients)] = samples;
  const started = performance.now();
  const deadline = started + SECONDS * 1000;
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
    durationSeconds: SECONDS,
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

// --- the run -----------------------------------------------------------------------------------

async function main(): Promise<number> {
  if (!(CLIENT_RUNS.every((c) => Number.isInteger(c) && c > 0 && c <= 500) && SECONDS > 0 && TIMEOUT_MS > 0))
    throw new Error('--clients (a list such as 50,200, each 1..500), --seconds and --timeout-ms must be > 0');
  if (SECONDS > 600) throw new Error('--seconds is at most 600');
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
    return runs.some((r) => r.errors.count > 0) ? 1 : 0;
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
