// `npm run bench`'s steps, in order, with what each costs (plan.ts sizes their budgets from it),
// and every figure the report shows, in the report's order, with the step that measures it: a
// figure a step did not get to is still a row of the report, marked with why.
import {
  BIG_REPO_SNAPSHOTS,
  MANY_VMS,
  S3_SNAPSHOTS_PER_REPO,
  S3_VM_REPOS,
  UI_REPO_SNAPSHOTS,
  VM_REPOS,
} from './dataset';
import {
  LONGEST_READ_CACHE_SECONDS,
  PAGE_EXPIRED_LOADS,
  PAGE_QUIET_EVERY,
  PAGE_ROUNDS,
  RESTORES,
  S3_COLD_RUNS,
  S3_WARM_EVERY,
  SETTLE_MAX_MS,
  TABLE_LOADS,
  TABLE_LOADS_EXPIRED,
  TABLE_WARM_UP_LOADS,
  WARM_EVERY,
} from './measure';
import type { BudgetOptions, StepPlan } from './plan';

/** Turns of the cold snapshot list (each: cold, cold with only the snapshot cache empty, raw). */
export const LIST_TURNS = 9;
/** Alternating dumps each way (raw into a file, lib/restic). */
export const DUMPS = 5;
/** Measured downloads through the route, each after a raw dump. */
export const DOWNLOADS = 7;

const MIN = 60_000;

// The warm table loads run in windows of a fresh server process (app.ts), each opened with
// TABLE_WARM_UP_LOADS loads not counted and lasting the read cache less 10 s. On a machine that is
// never quiet every load first waits the settle bound, so a window holds few loads.
const loadsPerWindowAtWorst = Math.max(
  1,
  Math.floor(((LONGEST_READ_CACHE_SECONDS - 10) * 1000) / (SETTLE_MAX_MS + 2_000)),
);
const tableWindowsAtWorst = Math.ceil(TABLE_LOADS / loadsPerWindowAtWorst);

export const BUDGET: BudgetOptions = { slowdown: 3, settleMaxMs: SETTLE_MAX_MS, startupMs: 2 * MIN, margin: 0.1 };

export const STEPS: StepPlan[] = [
  // Built once into .bench/state (minutes the first time: 200 repositories, 11,000 snapshot
  // files, a 1 GiB disk), then only checked.
  { id: 'dataset', title: 'the benchmark dataset', workMs: 5 * MIN, settles: 0, requires: [] },
  {
    id: 'overview',
    title: 'datastore overview, cold and warm, and the per-repository restic loop',
    // Three cold overviews (~50 s each until restic has read every repository) and the loop (~135 s).
    workMs: 5.5 * MIN,
    settles: 3 + 1 + VM_REPOS / WARM_EVERY,
    requires: ['dataset'],
  },
  {
    id: 'snapshots',
    title: `the ${BIG_REPO_SNAPSHOTS.toLocaleString('en')}-snapshot list, cold and raw`,
    workMs: 40_000,
    settles: LIST_TURNS * 3 + 1,
    requires: ['dataset'],
  },
  {
    id: 'restore',
    title: 'restore of the 1 GiB disk vs raw restic restore',
    // One untimed restore, then RESTORES each way three ways (~2 s each) and RESTORES ssh connections.
    workMs: 2.5 * MIN,
    settles: RESTORES * 3 + RESTORES,
    requires: ['dataset'],
  },
  {
    id: 'dump',
    title: 'streamed dump of the 1 GiB disk vs raw ssh restic dump',
    workMs: 45_000,
    settles: DUMPS * 2,
    requires: ['dataset'],
  },
  {
    id: 's3-dataset',
    title: `the S3 dataset: ${S3_VM_REPOS} repositories x ${S3_SNAPSHOTS_PER_REPO} snapshots in one bucket of the sandbox's S3 server`,
    // The template repository once (10 restic backups, ~10 s), then at every run (the S3 server
    // keeps its buckets in memory) 8,400 objects put or copied into the bucket (~20 s).
    workMs: 1 * MIN,
    settles: 0,
    requires: [],
  },
  {
    id: 's3-overview',
    title: 'S3 datastore overview, cold and warm, and the per-repository restic loop on the same S3 server',
    // Three cold overviews (~60 s each until restic, run here, has read every repository), the loop
    // (~150 s) and 100 warm overviews and bucket listings (~0.3 s each) on a quiet machine.
    workMs: 7 * MIN,
    settles: S3_COLD_RUNS + S3_VM_REPOS / S3_WARM_EVERY,
    requires: ['s3-dataset'],
  },
  { id: 'build', title: 'next build (when .next is stale)', workMs: 4 * MIN, settles: 0, requires: [] },
  {
    id: 'table',
    title: `the ${UI_REPO_SNAPSHOTS.toLocaleString('en')}-row table in Chromium`,
    // The first load, TABLE_LOADS warm (~1.5 s each), TABLE_LOADS_EXPIRED each after the read
    // cache's 3 s, server restarts between windows.
    workMs: 5.5 * MIN,
    settles: TABLE_LOADS + TABLE_WARM_UP_LOADS * tableWindowsAtWorst + TABLE_WARM_UP_LOADS + TABLE_LOADS_EXPIRED,
    requires: ['dataset', 'build'],
  },
  {
    id: 'first-load-js',
    title: 'first-load JavaScript per route',
    workMs: 1.5 * MIN,
    settles: 0,
    requires: ['dataset', 'build'],
  },
  {
    id: 'download-route',
    title: '1 GiB download through the download route: throughput and server memory',
    // DOWNLOADS + 1 downloads and DOWNLOADS raw dumps, ~4 s each.
    workMs: 1.5 * MIN,
    settles: 1 + DOWNLOADS * 2,
    requires: ['dataset', 'build'],
  },
  {
    id: 'pages',
    title: `the home page and /vms with ${MANY_VMS.toLocaleString('en')} VMs, warm and once the read cache has expired`,
    // Its own sandbox (the seeded demo cloud, ~2 min the first time, and the VMs), then warm loads
    // in windows of a fresh server process (~90 s each) and loads ~4 s apart once the read cache
    // has expired.
    workMs: 5 * MIN,
    settles: Math.ceil(PAGE_ROUNDS / PAGE_QUIET_EVERY) + Math.ceil((PAGE_EXPIRED_LOADS * 2) / PAGE_QUIET_EVERY),
    requires: ['build'],
  },
];

export type ExpectedFigure = { id: string; step: string; what: string; target: string };

/** Every figure of the report, in its order. `what` here is for a row not measured. */
export const FIGURES: ExpectedFigure[] = [
  ['overview-warm', 'overview', `datastore overview, ${VM_REPOS} repositories, warm`, '<= 150 ms'],
  [
    'overview-warm-reads-expired',
    'overview',
    'the same, once the OpenNebula read cache has expired',
    '— (informative)',
  ],
  ['overview-cold', 'overview', "datastore overview, cold (empty cache): the page's answer", '<= 3 s'],
  ['overview-cold-complete', 'overview', 'the same until restic has read every repository', '— (informative)'],
  ['overview-vs-loop', 'overview', 'warm overview vs a per-repository `restic snapshots` loop', '>= 30x faster'],
  [
    'server-round-trip',
    'overview',
    'a bare command on the backup server (`true`) over the kept SSH connection',
    '— (informative: the machine)',
  ],
  [
    's3-overview-warm',
    's3-overview',
    `S3 datastore overview, ${S3_VM_REPOS} repositories x ${S3_SNAPSHOTS_PER_REPO} snapshots, warm`,
    '<= 150 ms',
  ],
  ['s3-overview-cold', 's3-overview', "S3 datastore overview, cold (empty cache): the page's answer", '<= 3 s'],
  ['s3-overview-cold-complete', 's3-overview', 'the same until restic has read every repository', '— (informative)'],
  [
    's3-overview-vs-loop',
    's3-overview',
    'warm S3 overview vs a per-repository `restic snapshots` loop on the same S3 server',
    '>= 30x faster',
  ],
  [
    's3-bucket-listing',
    's3-overview',
    "the bucket's whole key listing by an S3 client",
    '— (informative: the S3 server)',
  ],
  [
    'snapshots-cold',
    'snapshots',
    `snapshot list of a repository with ${BIG_REPO_SNAPSHOTS} snapshots, cold vs raw ssh restic snapshots --json`,
    '<= 1.1x raw',
  ],
  ['snapshots-cold-restic', 'snapshots', 'the same, only the snapshot cache empty', '<= 1.1x raw'],
  ['snapshots-warm', 'overview', 'the same list, warm', '<= 50 ms'],
  [
    'snapshots-warm-reads-expired',
    'snapshots',
    'the same, once the OpenNebula read cache has expired',
    '— (informative)',
  ],
  [
    'restore',
    'restore',
    'restore of a 1 GiB disk onto the backup server vs raw restic restore run on the backup server',
    '<= 1.05x raw',
  ],
  ['restore-over-ssh', 'restore', 'the same vs raw ssh ... restic restore', '— (informative)'],
  [
    'download',
    'dump',
    'streamed dump of a 1 GiB disk through lib/restic vs raw ssh restic dump > file',
    '— (informative)',
  ],
  [
    'table-first-paint',
    'table',
    `${UI_REPO_SNAPSHOTS}-row snapshot table in Chromium: first snapshot rows painted`,
    '<= 1.5 s',
  ],
  [
    'table-first-paint-reads-expired',
    'table',
    'the same, once the OpenNebula read cache has expired',
    '— (informative)',
  ],
  [
    'table-dom-rows',
    'table',
    `${UI_REPO_SNAPSHOTS}-row snapshot table: row elements (tr) in the DOM after load`,
    '<= 200',
  ],
  ['home-warm', 'pages', `health home page (/), ${MANY_VMS.toLocaleString('en')} VMs, warm: server time`, '<= 200 ms'],
  ['home-warm-reads-expired', 'pages', 'the same, once the OpenNebula read cache has expired', '— (informative)'],
  ['vms-warm', 'pages', `VMs list (/vms), ${MANY_VMS.toLocaleString('en')} VMs, warm: server time`, '<= 200 ms'],
  ['vms-warm-reads-expired', 'pages', 'the same, once the OpenNebula read cache has expired', '— (informative)'],
  [
    'first-load-js',
    'first-load-js',
    'first-load JavaScript, the heaviest route (build manifests, gzip -9)',
    '<= 180 kB gzip',
  ],
  [
    'download-route',
    'download-route',
    '1 GiB disk through the download route (HTTP, signed in) vs raw ssh restic dump',
    '>= 0.9x raw throughput',
  ],
  ['download-memory', 'download-route', 'server memory growth during a 1 GiB download', '<= 64 MB'],
  ['download-memory-tree', 'download-route', 'the same with the processes the server starts', '— (informative)'],
].map(([id, step, what, target]) => ({ id: id!, step: step!, what: what!, target: target! }));
