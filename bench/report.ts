// Writes bench/report.json and bench/history.json and renders bench/report.md from them. Run on
// its own (`node_modules/.bin/tsx bench/report.ts`) it re-renders report.md from the stored JSON.
// A run that did not measure everything (stopped, timed out, a step failed, or --only) still gets
// its report: each figure it lacks is a row saying why, and it is not added to history.json.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Outcome, RouteJs } from './results';
import { FIGURES, type ExpectedFigure } from './steps';
import {
  BIG_REPO_SNAPSHOTS,
  S3_SNAPSHOTS_PER_REPO,
  S3_VM_REPOS,
  SNAPSHOTS_PER_REPO,
  UI_REPO_SNAPSHOTS,
  VM_REPOS,
} from './dataset';
import {
  LONGEST_READ_CACHE_SECONDS,
  median,
  S3_WARM_EVERY,
  TABLE_LOADS,
  TABLE_LOADS_EXPIRED,
  TABLE_WARM_UP_LOADS,
  WARM_EVERY,
  WARM_RUNS,
  type Figure,
} from './measure';

export type Report = {
  generatedAt: string;
  seconds: number;
  machine: {
    cpus: number;
    cpuModel: string;
    memoryGiB: number;
    node: string;
    restic: string;
    loadAverageAtEnd: number[];
  };
  figures: Figure[];
  routes: RouteJs[];
  notes: string[];
  buildSeconds?: number;
  /** Set when the run did not measure every figure: how it ended, e.g. "stopped by SIGTERM at step table". */
  incomplete?: string;
  /** The figures not measured, each with why. */
  missing?: MissingFigure[];
};

export type MissingFigure = ExpectedFigure & { reason: string };

/**
 * The expected figures that were not measured, each with its step's outcome as the reason: "timed
 * out at step table (its budget of 1 h 20 min)", "stopped by SIGTERM at step restore", "failed at
 * step build: next build exited 1", "skipped: step build failed", "not selected (--only overview)".
 */
export function missingFigures(
  expected: readonly ExpectedFigure[],
  measured: readonly Pick<Figure, 'id'>[],
  outcomes: ReadonlyMap<string, Outcome>,
): MissingFigure[] {
  const have = new Set(measured.map((f) => f.id));
  return expected
    .filter((f) => !have.has(f.id))
    .map((f) => {
      const o = outcomes.get(f.step);
      const reason =
        o === undefined
          ? `step ${f.step} did not run`
          : o.status === 'done'
            ? `step ${f.step} ended without it`
            : (o.reason ?? `step ${f.step} ${o.status}`);
      return { ...f, reason };
    });
}

type Run = {
  generatedAt: string;
  seconds: number;
  /** The CPU model the run had: runs on different machines do not compare. */
  cpu?: string;
  loadAverageAtEnd: number[];
  /** Median ms of Backstone's side of each timed figure. */
  medians: Record<string, number>;
  /** Each figure's result: the ratio to the raw command measured in the same run, or the absolute figure. */
  values?: Record<string, number>;
  /** How far apart Backstone's own samples of each figure were within the run: (largest - smallest) / smallest. */
  ranges?: Record<string, number>;
};

const benchDir = import.meta.dirname;

// Why a target is missed, where the reason is physical or lies outside the code measured.
const WHY: Record<string, string> = {
  'overview-warm':
    "No restic and no OpenNebula CLI call (read cache): what remains is one SSH round trip in which the backup server lists the ~800 folders of 200 repositories with their modification times and sends their MD5; the ~7,000 file names (snapshots, index files, locks) only when it differs from the one held, when a folder changed in the last 3 s, or once a minute (lib/backup-server/inventory.ts), linking 2,000 cached snapshots (parsed once, then kept in memory) with 2,000 images. Repository sizes are kept per repository and measured again only when its index or snapshot files change or it holds a lock (lib/backup-server/stored-sizes.ts): a `du` walks every data/ folder, 51,200 for 200 repositories, ~0.9 s on this machine. On 2 cores shared with the benchmark's own sshd, the run's load decides the last tens of milliseconds.",
  'overview-cold':
    "The answer waits for OpenNebula (five CLI calls, ~0.3 s), the inventory of the backup server (its file listing and a `du` of every repository's data folders, ~1 s cold) and restic for at most what is left of 2 s; on 2 cores shared with the 4 restic processes reading in the background, the machine's load decides the rest.",
  's3-overview-warm':
    "No restic and no OpenNebula CLI call (read cache): what remains is the inventory, one listing of every key of the bucket (each repository's config, key, snapshot, index and data files, 42 a repository here; the data files for its stored bytes), which S3 answers 1,000 keys a request, each request for the page after the one before: 9 requests for 200 repositories, and the S3 client's parsing of their XML. The bare listing alone (s3-bucket-listing) takes most of the time; the sandbox's S3 server (moto, in Python, on the same 2 cores) sorts the whole bucket for every page. The listing grows with the bucket's keys (repositories with more data files, more repositories), not with the snapshots Backstone has cached.",
  'snapshots-cold':
    "Everything cold, OpenNebula's answers too. Before restic can run, Backstone needs the datastore's BASE_PATH, backup server and password, which live in OpenNebula: one `onedatastore show` (~130 ms with the sandbox's CLI; the real Ruby CLI is not faster), read alongside the reader's own check of the datastore; images and VMs are then read while restic runs. A raw `ssh ... restic snapshots` is typed by someone who already knows all three. The row below, with only the snapshot cache empty, is what Backstone adds to restic itself.",
  'snapshots-cold-restic':
    "restic's listing is the raw command's; Backstone adds one SSH round trip listing this repository's files, the SQLite writes of 1,000 snapshots and the linking.",
  'snapshots-warm':
    "No restic run: one SSH round trip reading this repository's folder times (its files only when they changed), the 1,000 cached snapshots from SQLite, linking them with their images.",
  restore:
    'The same restic restore, run by Backstone over the SSH connection it keeps open: what it adds is one SSH exec and the progress lines (--json, one a second).',
  'restore-over-ssh':
    'The raw command also opens a new SSH connection and session for every restore (its time is in the note); Backstone keeps one open.',
  'table-first-paint':
    'The first screen of rows is server-rendered and painted with the first paint: the page reads the 10,000 snapshots from the cache, links them and sends the newest 200 (the table fetches the rest after the first paint); then the browser parses and paints, on the 2 cores the server shares.',
  'first-load-js':
    "React and the Next runtime (the root main files) are ~132 kB gzip of every route, the console layout (TanStack Query, navigation) ~20 kB more, TanStack Table ~25 kB on the table pages. What the first paint does not need already loads afterwards: zod and the wizard's schema, the Capacity tab and its chart, the restore dialog, the table virtualizer.",
  'download-route':
    "The route streams the same restic dump as the figure above; on top, the server decrypts SSH in Node (ssh2's AES-GCM binding, ~0.6 s of CPU per GiB), joins the SSH chunks into 256 KiB-1 MiB pieces (~0.2 s) and writes them to the HTTP socket (~0.9 s), and curl receives them, all on the same 2 cores as restic, ssh and sshd of the backup server. A server on its own host does not share them.",
  'download-memory':
    "The stream is bounded: at most 1 MiB is read ahead of the browser (lib/catalog/snapshot-stream.ts), behind the SSH channel's 2 MiB window, refilled only as the browser reads; a larger growth is garbage not yet collected.",
};

function readHistory(dir: string): Run[] {
  const file = join(dir, 'history.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Run[]) : [];
}

/** Writes report.json and report.md into `dir` (bench/ by default); a complete run also goes into history.json. */
export function writeReports(report: Report, dir = benchDir): void {
  writeFileSync(join(dir, 'report.json'), `${JSON.stringify(report, null, 2)}\n`);
  // Every complete run's medians, so the report can show how far apart the last three runs are.
  // An incomplete one would leave holes in that comparison.
  const history = readHistory(dir);
  if (report.incomplete === undefined) {
    history.push({
      generatedAt: report.generatedAt,
      seconds: report.seconds,
      cpu: report.machine.cpuModel,
      loadAverageAtEnd: report.machine.loadAverageAtEnd,
      medians: Object.fromEntries(
        report.figures.filter((f) => f.backstoneMs).map((f) => [f.id, median(f.backstoneMs!)]),
      ),
      values: Object.fromEntries(report.figures.filter((f) => f.value !== undefined).map((f) => [f.id, f.value!])),
      ranges: Object.fromEntries(
        report.figures
          .filter((f) => (f.backstoneMs?.length ?? 0) >= 3)
          .map((f) => [
            f.id,
            (Math.max(...f.backstoneMs!) - Math.min(...f.backstoneMs!)) / Math.min(...f.backstoneMs!),
          ]),
      ),
    });
    writeFileSync(join(dir, 'history.json'), `${JSON.stringify(history.slice(-10), null, 2)}\n`);
  }
  writeFileSync(join(dir, 'report.md'), renderReport(report, history));
}

/** Figures that time the machine rather than Backstone: no Backstone logic in them. */
const MACHINE_FIGURES = new Set(['server-round-trip', 's3-bucket-listing']);

/**
 * Says which spreads the machine explains: when the raw commands themselves (no Backstone code)
 * moved more than 15% between the runs, an absolute time cannot hold within 15% either.
 */
function machineNote(spreads: { id: string; spread: number }[], drifts: { spread: number }[]): string[] {
  const machine = Math.max(
    0,
    ...drifts.map((d) => d.spread),
    ...spreads.filter((r) => MACHINE_FIGURES.has(r.id)).map((r) => r.spread),
  );
  const outside = spreads.filter((r) => r.spread > 0.15 && !MACHINE_FIGURES.has(r.id)).map((r) => r.id);
  if (machine <= 0.15 || outside.length === 0) return [];
  return [
    `Between these runs the machine itself moved by up to ${(machine * 100).toFixed(0)}% (raw commands above and server-round-trip, no Backstone logic in them). Figures outside 15%: ${outside.join(', ')}. Ratios to a raw command measured side by side cancel the machine's drift; absolute times and figures without a raw command cannot hold within 15% when the machine does not.`,
    '',
  ];
}

/**
 * The first cold overview of the bench process stands out when the backup server's file system
 * cache was cold: its `du` of every repository's data folders then walks the disk. Said in the
 * report, since the median of the runs does not show it.
 */
function firstColdNote(f: Figure): string | undefined {
  const first = f.backstoneMs?.[0];
  if (f.id !== 'overview-cold' || first === undefined || first <= median(f.backstoneMs!) * 1.1) return undefined;
  return `the first of these answers took ${first.toFixed(0)} ms: the bench process's first overview also opens its SSH connection and, in the inventory, measures every repository's size with du over its data folders (51,200 for 200 repositories), which waits on the disk when the backup server's file system cache is cold (the inventory alone: ~2.3 s cold, well under 1 s warm, measured on their own); the later answers came after restic had read every repository`;
}

export function renderReport(report: Report, history: Run[]): string {
  const { machine } = report;
  const app = report.routes.length
    ? { routes: report.routes, notes: report.notes, buildSeconds: report.buildSeconds }
    : undefined;
  const figures = report.figures
    .map((f) =>
      f.met === false && WHY[f.id] && !f.note?.includes(WHY[f.id]!)
        ? { ...f, note: [f.note, WHY[f.id]].filter(Boolean).join('. ') }
        : f,
    )
    .map((f) => {
      const first = firstColdNote(f);
      return first ? { ...f, note: [f.note, first].filter(Boolean).join('. ') } : f;
    });
  // The table's rows in the report's order (steps.ts), the figures not measured among them.
  const order = new Map(FIGURES.map((f, i) => [f.id, i]));
  const rank = (id: string) => order.get(id) ?? FIGURES.length;
  const rows: (Figure | MissingFigure)[] = [...figures, ...(report.missing ?? [])].sort(
    (a, b) => rank(a.id) - rank(b.id),
  );
  const missingRoutes = report.missing?.find((m) => m.id === 'first-load-js');
  const last3 = history.slice(-3);
  const cpus = [...new Set(last3.map((r) => r.cpu ?? 'not recorded'))];
  const fmt = (f: Figure) => (f.value !== undefined ? `${f.value.toFixed(2)} ${f.unit ?? ''}`.trim() : '—');
  const kB = (b?: number) => (b === undefined ? '—' : (b / 1000).toFixed(1));
  // A figure measured against a raw command is its ratio (both sides timed in the same run, so a
  // slower or faster machine that day cancels out); the others are their median time.
  const spreadRows = figures
    .filter((f) => f.backstoneMs)
    .map((f) => {
      const ratio = f.baselineMs !== undefined;
      const xs = last3.map((r) => (ratio ? r.values?.[f.id] : r.medians[f.id]));
      if (xs.some((x) => x === undefined)) return undefined;
      const ns = xs as number[];
      const spread = (Math.max(...ns) - Math.min(...ns)) / Math.min(...ns);
      const within = last3.map((r) => r.ranges?.[f.id]).filter((x) => x !== undefined);
      return {
        id: f.id,
        target: !f.target.includes('informative'),
        shown: ns.map((x) => (ratio ? `${x.toFixed(2)} ${f.unit ?? ''}`.trim() : `${x.toFixed(0)} ms`)),
        spread,
        within: within.length ? Math.max(...within) : undefined,
      };
    })
    .filter((r) => r !== undefined);
  // The raw commands' own medians in the same runs: how much the machine itself moved between them.
  // Each run's result was computed from the two medians, so the raw one follows from it.
  const rawOf = (f: Figure, r: Run): number | undefined => {
    const ours = r.medians[f.id];
    const value = r.values?.[f.id];
    if (ours === undefined || value === undefined || value === 0) return undefined;
    return f.unit === 'x raw' ? ours / value : ours * value;
  };
  const seenRaw = new Set<string>();
  const driftRows = figures
    .filter((f) => f.baselineMs)
    .map((f) => {
      const xs = last3.map((r) => rawOf(f, r));
      if (xs.some((x) => x === undefined)) return undefined;
      const ns = xs as number[];
      // One row per raw command (the cold list's is shared by two figures).
      const key = ns.map((x) => x.toFixed(0)).join();
      if (seenRaw.has(key)) return undefined;
      seenRaw.add(key);
      return { id: f.id, ns, spread: (Math.max(...ns) - Math.min(...ns)) / Math.min(...ns) };
    })
    .filter((r) => r !== undefined);
  return [
    '# Backstone benchmarks',
    '',
    `Generated ${report.generatedAt} by \`npm run bench\` in ${report.seconds} s${app?.buildSeconds ? ` (of which ${app.buildSeconds} s for \`next build\`)` : ''} on ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGiB} GiB, Node ${machine.node}; ${machine.restic.startsWith('restic') ? machine.restic : machine.restic ? `restic ${machine.restic}` : 'restic (its version not read: no step read a snapshot)'} on the backup server from the sandbox (loopback SSH); Chromium ${'`/usr/bin/chromium`'} headless.`,
    '',
    `Load average at the end of the run: ${machine.loadAverageAtEnd.join(', ')} (the benchmark's own sshd, restic and browser included). Absolute times follow the machine's load; ratios measured side by side in one run less so.`,
    '',
    ...(report.incomplete === undefined
      ? []
      : [
          `**Incomplete run: ${report.incomplete}.** ${figures.length} of ${rows.length} figures measured; each of the others says why it was not. This run is not added to bench/history.json.`,
          '',
        ]),
    '| figure | target | Backstone (median ms) | baseline (median ms) | result | met |',
    '|---|---|---|---|---|---|',
    ...rows.map((f) =>
      'reason' in f
        ? `| ${f.what} | ${f.target} | — | — | not measured (${f.reason}) | — |`
        : `| ${f.what} | ${f.target} | ${f.backstoneMs ? median(f.backstoneMs).toFixed(0) : '—'} | ${f.baselineMs ? median(f.baselineMs).toFixed(0) : '—'} | ${fmt(f)} | ${f.met === undefined ? '—' : f.met ? 'yes' : '**no**'} |`,
    ),
    '',
    ...figures.filter((f) => f.note).map((f) => `- ${f.id}: ${f.note}`),
    ...report.notes.map((n) => `- ${n}`),
    '',
    '## Three runs',
    '',
    last3.length < 3
      ? `Only ${last3.length} run(s) in bench/history.json so far; run \`npm run bench\` again to see the spread.`
      : `The last three runs (${last3.map((r) => r.generatedAt).join(', ')}; load average at their end ${last3.map((r) => r.loadAverageAtEnd[0]).join(', ')}): for a figure measured against a raw command its ratio (both sides timed in the same run), otherwise its median time. Spread = (largest - smallest) / smallest; the acceptance asks for at most 15%. The last column is the same measure over Backstone's own samples inside one run (the widest of the three runs): identical calls, one after the other, in one process.${cpus.length > 1 ? ` **These runs had different CPUs (${cpus.join('; ')}): their spread is not the benchmark's.**` : ` CPU of all three: ${cpus[0]}.`}`,
    '',
    ...(last3.length < 3
      ? []
      : [
          '| figure | target | run 1 | run 2 | run 3 | spread | within 15% | samples within one run |',
          '|---|---|---|---|---|---|---|---|',
          ...spreadRows.map(
            (r) =>
              `| ${r.id} | ${r.target ? 'yes' : 'informative'} | ${r.shown.join(' | ')} | ${(r.spread * 100).toFixed(0)}% | ${r.spread <= 0.15 ? 'yes' : '**no**'} | ${r.within === undefined ? '—' : `${(r.within * 100).toFixed(0)}%`} |`,
          ),
          '',
          "The machine itself between the same three runs: the raw commands' medians (no Backstone code in them).",
          '',
          '| raw command of | run 1 | run 2 | run 3 | spread |',
          '|---|---|---|---|---|',
          ...driftRows.map(
            (r) =>
              `| ${r.id} | ${r.ns.map((x) => `${x.toFixed(0)} ms`).join(' | ')} | ${(r.spread * 100).toFixed(0)}% |`,
          ),
          '',
          ...machineNote(spreadRows, driftRows),
        ]),
    '## First-load JavaScript per route',
    '',
    "From the production build: the build manifests' root main files plus the route's layouts' and page's entry chunks, each compressed with gzip -9 (what the target counts); and the encoded bytes of the script responses Chromium received loading the route with an empty cache (only for the routes visited).",
    '',
    ...(missingRoutes ? [`Not measured (${missingRoutes.reason}).`, ''] : []),
    '| route | manifests, gzip (kB) | manifests, raw (kB) | Chromium received (kB) | scripts | <= 180 kB gzip |',
    '|---|---|---|---|---|---|',
    ...(app?.routes ?? []).map(
      (r) =>
        `| \`${r.route}\` | ${kB(r.manifestGzipBytes)} | ${kB(r.manifestRawBytes)} | ${r.scripts === 0 ? 'not captured' : kB(r.browserBytes)} | ${r.scripts ?? '—'} | ${r.manifestGzipBytes === undefined ? '—' : r.manifestGzipBytes <= 180_000 ? 'yes' : '**no**'} |`,
    ),
    '',
    '## Method',
    '',
    `- Dataset (bench/dataset.ts, built once in \`.bench/state\` and reused): datastore BenchBackups with ${VM_REPOS} VM repositories x ${SNAPSHOTS_PER_REPO} snapshots (one built with \`restic backup\`, copied), one repository with ${BIG_REPO_SNAPSHOTS.toLocaleString('en')} snapshots and one with a 1 GiB random disk; datastore BenchTable with one repository of ${UI_REPO_SNAPSHOTS.toLocaleString('en')} snapshots.`,
    `- The ${BIG_REPO_SNAPSHOTS.toLocaleString('en')} and ${UI_REPO_SNAPSHOTS.toLocaleString('en')} snapshots are real: in each repository one \`restic backup\`, then the others written as restic writes a snapshot file (bench/restic-files.ts: the master key from the repository’s key file with scrypt, AES-256-CTR, Poly1305-AES, file named by its SHA-256), each pointing at that backup's tree with its own time. \`restic snapshots\` lists all of them and \`restic check\` finds no errors. Each \`restic backup\` run spends ~0.5 s of CPU on scrypt: 1,000 of them took ~10 minutes of the first run, 10,000 would take over an hour on 2 cores. Backstone is not told about any of this: it reads them with \`restic snapshots\` on its first visit and caches them by snapshot ID like any others.`,
    '- Library figures (overview, snapshot list, restore, dump) call lib/catalog and lib/restic in the bench process, against the raw `ssh ... restic` command measured in the same run; where there is a raw command, the two take turns (cold list, cold list with only the snapshot cache empty and raw list in rotation; restore in rotation with restic restore run on the backup server, which the target compares it with, and with the raw `ssh ... restic restore`, each round led by the next; dump alternating). Cold empties both Backstone’s SQLite snapshot cache and its OpenNebula read cache; warm repeats the call with every cache holding (the answers of OpenNebula read again, untimed, every minute, so every timed call finds them in the read cache), two overviews and two snapshot lists (and two bare commands on the backup server over the kept connection, server-round-trip) after every ' +
      WARM_EVERY +
      ' repositories of the raw loop, so that they are spread over the same minutes as the loop; the bench process’s CPU time is taken around each warm call; "read cache expired" runs with `BACKSTONE_ONE_READ_CACHE_SECONDS=0`, in a series of ' +
      WARM_RUNS +
      ' back to back.',
    `- S3 dataset (bench/s3-dataset.ts, in the same sandbox): datastore BenchS3 (\`RESTIC_BACKEND = "S3"\`, path-style) on the sandbox's S3 server (moto on loopback HTTP), one bucket with ${S3_VM_REPOS} repositories x ${S3_SNAPSHOTS_PER_REPO} snapshots under VM ID prefixes: one repository built once on disk with \`restic backup\` (${S3_SNAPSHOTS_PER_REPO} backups of a 16 KiB disk file and a vm.xml), put into the bucket and copied inside the S3 server (CopyObject) under the other VM IDs, each with a config of its own (its repository ID); the bucket is filled again at every run, since the S3 server keeps its buckets in memory. No OpenNebula images point at these repositories, as for BenchBackups.`,
    `- S3 overview: the same library calls as the overview, restic run on this machine (the sandbox's restic, \`BACKSTONE_LOCAL_RESTIC\`) as Backstone runs it for S3 datastores; cold also forgets the bucket listing Backstone keeps. The raw loop runs the same restic here, \`restic --no-lock --option=s3.bucket-lookup=path --repo=s3:<endpoint>/<bucket>/<VM ID> snapshots --json\` for one repository after the other, the bucket's keys in its environment and the password on its stdin; two warm overviews and two listings of the whole bucket by an S3 client (s3-bucket-listing) every ${S3_WARM_EVERY} repositories of it, the OpenNebula answers read again, untimed, every minute.`,
    '- Before every timed run (every browser load and download; every group of warm calls; once before each series of calls with the read cache expired, which then go back to back) the bench runs `sync` and waits, for at most 20 s, until the CPUs are at least 90% idle over a quarter of a second (bench/measure.ts `settle`), so that no figure pays for what the one before it left running.',
    "- The raw dump writes the 1 GiB disk into a file (`ssh ... restic dump > file`), and so does the download through the route (`curl -o file`, a native client in its own process, the session cookie on its stdin); each file is checked for its size and removed after the run. lib/restic's stream is read in the bench process and dropped (informative: the library's share; the route's figure, into a file like the raw command, carries the download target).",
    `- Browser figures: the production build (\`next build\` when \`.next\` is older than the sources) served by server.js on the bench sandbox (scripts/app-server.ts), signed in as oneadmin, Debian’s Chromium through Playwright. The table is loaded once to fill the snapshot cache, then ${TABLE_LOADS} times with the server warm: on a server process started with a ${LONGEST_READ_CACHE_SECONDS} s read cache, the page requested once and loaded ${TABLE_WARM_UP_LOADS} times not counted (a fresh process's code is still being optimized), then loaded until 10 s before the answers that request read expire (again on a new process if loads are left), so OpenNebula's answers are in the read cache for every load (a hit does not renew an entry); then, on a new server process with the default read cache, ${TABLE_WARM_UP_LOADS} loads not counted and ${TABLE_LOADS_EXPIRED} after its 3 s have passed, each in a fresh browser context (empty HTTP cache); the time is from navigation start to the first animation frame holding a snapshot row, taken in the page by a frame callback. Rows in the DOM: every \`tr\` of the table after load.`,
    '- Download memory: the resident set (VmRSS in /proc/<pid>/status) of the server process (and, informative, of it with its descendants), sampled every 50 ms from the bench process while it downloads the 1 GiB disk through `/api/datastores/[id]/repos/[repo]/snapshots/[snap]/download/disk.0.0`: once to get past one-time setup, then seven times, each right after a raw dump; growth is the peak minus the RSS just before each download.',
    '',
  ].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const report = JSON.parse(readFileSync(join(benchDir, 'report.json'), 'utf8')) as Report;
  writeFileSync(join(benchDir, 'report.md'), renderReport(report, readHistory(benchDir)));
}
