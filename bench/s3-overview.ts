// Step s3-overview: the overview of the S3 datastore of s3-dataset.ts (200 repositories x 10
// snapshots under VM ID prefixes of one bucket on the sandbox's S3 server), cold and warm, against
// the raw per-repository `restic snapshots` loop on the same S3 server: the S3 counterpart of the
// overview step. For S3, Backstone's inventory is one listing of the bucket's keys (no restic), and
// restic runs on Backstone's own machine, only for snapshots it has not cached. The raw loop is
// what an admin types on the front-end: restic with the bucket's keys in its environment, one
// repository after the other. Backstone is called in this process (lib/catalog), as in the other
// library steps.
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { ListObjectsV2Command, S3Client, type ListObjectsV2CommandOutput } from '@aws-sdk/client-s3';
import { PASSWORD, S3_SNAPSHOTS_PER_REPO, S3_VM_REPOS } from './dataset';
import {
  coldOverviews,
  LONGEST_READ_CACHE_SECONDS,
  median,
  msFigure,
  S3_COLD_RUNS,
  S3_WARM_EVERY,
  time,
  timedWithCpu,
} from './measure';
import type { S3Info } from './s3-dataset';
import type { Recorder } from './worker';

export type S3OverviewTools = {
  /** Waits for a quiet machine (measure.ts settle), recorded. */
  quiet: () => Promise<void>;
  /** Backstone's data folder (its SQLite snapshot cache) in this process. */
  dataDir: string;
  /** Runs fn with the OpenNebula read cache held for `seconds`. */
  withReadCache: <T>(seconds: number, fn: () => Promise<T>) => Promise<T>;
};

export async function s3OverviewFigures(
  s3: S3Info,
  { quiet, dataDir, withReadCache }: S3OverviewTools,
  log: (s: string) => void,
  record: Recorder,
): Promise<void> {
  const catalog = await import('@/lib/catalog');
  const { sharedCache } = await import('@/lib/cache');
  const { invalidateReads } = await import('@/lib/opennebula/read-cache');
  const { closeDb } = await import('@/lib/store');
  const { RESTIC_CONCURRENCY_PER_SERVER } = await import('@/lib/restic/limit');
  const reader = { username: 'oneadmin', isAdmin: true, credential: { kind: 'service' as const } };
  // The bucket listings Backstone keeps (the last one answers a page while a newer one is slow),
  // by the name of their process-wide cache.
  const inventories = sharedCache<unknown>('catalog.inventories', { freshMs: 0, max: 500 });
  // Cold: no snapshot cached, no OpenNebula answer and no listing of the bucket known.
  const freshCache = () => {
    closeDb();
    rmSync(dataDir, { recursive: true, force: true });
    invalidateReads();
    inventories.clear();
  };
  // As the page asks: an answer within OVERVIEW_ANSWER_WITHIN_MS.
  const overview = () =>
    catalog.datastoreOverview(reader, s3.datastoreId, undefined, undefined, {
      answerWithinMs: catalog.OVERVIEW_ANSWER_WITHIN_MS,
    });
  type Overview = Awaited<ReturnType<typeof overview>>;
  // What the figures are worth: every repository there and read by restic, nothing unreadable.
  const checkComplete = (o: Overview, what: string) => {
    const unreadable = o.problems.find((p) => p.kind === 'unreadable');
    if (unreadable) throw new Error(`${what}: ${unreadable.message}`);
    if (o.pending !== 0) throw new Error(`${what}: ${o.pending} repositories still being read`);
    const full = o.repositories.filter((r) => r.snapshotCount === S3_SNAPSHOTS_PER_REPO).length;
    if (o.repositories.length !== S3_VM_REPOS || full !== S3_VM_REPOS)
      throw new Error(
        `${what}: ${o.repositories.length} repositories, ${full} with ${S3_SNAPSHOTS_PER_REPO} snapshots (expected ${S3_VM_REPOS})`,
      );
  };

  log(`S3 overview: cold (${S3_COLD_RUNS} times, each until restic has read every repository)`);
  const { cold, coldComplete, coldPending, coldRepos } = await coldOverviews(S3_COLD_RUNS, {
    emptyCaches: freshCache,
    quiet,
    answer: overview,
    complete: async () =>
      checkComplete(await catalog.datastoreOverview(reader, s3.datastoreId), 'a cold S3 overview without a deadline'),
  });
  record.figure(
    msFigure(
      {
        id: 's3-overview-cold',
        what: `S3 datastore overview (${S3_VM_REPOS} repositories in one bucket), cold (empty cache): the page's answer, with the repositories restic has not read yet shown as being read (${median(coldPending)} of ${coldRepos} at the answer, median)`,
        target: '<= 3 s',
      },
      cold,
      3_000,
    ),
    msFigure(
      {
        id: 's3-overview-cold-complete',
        what: 'the same until restic has read every repository (the page asks again every 2 s and fills in meanwhile)',
        target: '— (informative)',
        note: `One restic process per repository, run on Backstone's machine for S3, at most ${RESTIC_CONCURRENCY_PER_SERVER} at once per S3 endpoint; each spends ~0.5 s of CPU deriving the repository key (scrypt) and makes its requests to the S3 server, which shares the same 2 cores here`,
      },
      coldComplete,
    ),
  );

  log('S3 overview, warm, across the per-repository restic snapshots loop (baseline)');
  // The raw command, as an admin types it where restic runs for S3 datastores: the bucket's keys
  // in restic's environment (AWS_*), the password on its stdin (not a terminal, so restic reads it
  // from there without a password option), output dropped.
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    // restic's cache where Backstone's restic keeps it (both run as this user).
    ...(process.env.HOME ? { HOME: process.env.HOME } : {}),
    AWS_ACCESS_KEY_ID: s3.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
    AWS_DEFAULT_REGION: s3.region,
  };
  const rawSnapshots = (name: string) =>
    new Promise<void>((resolve, reject) => {
      const child = spawn(
        s3.sandbox.restic,
        [
          '--no-lock',
          '--option=s3.bucket-lookup=path',
          `--repo=s3:${s3.endpoint}/${s3.bucket}/${name}`,
          'snapshots',
          '--json',
        ],
        {
          stdio: ['pipe', 'ignore', 'inherit'],
          env: env as NodeJS.ProcessEnv,
        },
      );
      child.stdin?.end(`${PASSWORD}\n`);
      child.on('error', reject);
      child.on('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`restic snapshots of S3 repository ${name} exited ${code}`)),
      );
    });
  // The bucket's whole key listing by an S3 client, as Backstone's inventory reads it (pages of
  // 1,000 keys): what every warm overview waits for at least once. It follows the S3 server.
  const client = new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
  let keys = 0;
  const listBucket = async () => {
    let token: string | undefined;
    keys = 0;
    do {
      const page: ListObjectsV2CommandOutput = await client.send(
        new ListObjectsV2Command({ Bucket: s3.bucket, ContinuationToken: token }),
      );
      keys += page.Contents?.length ?? 0;
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
  };
  const repos = Array.from({ length: S3_VM_REPOS }, (_, i) => String(i + 1));
  const warm: number[] = [];
  const listings: number[] = [];
  // The bench process's own CPU time in each call (it is idle between them).
  const cpuMs = { overview: [] as number[], listing: [] as number[] };
  const timed = timedWithCpu;
  let loopMs = 0;
  // The read cache holds for at most 99 s and the loop takes minutes: OpenNebula's answers are read
  // afresh, untimed, every minute, so that every timed call finds them.
  let primedAt = -Infinity;
  const prime = async () => {
    if (performance.now() - primedAt < 60_000) return;
    invalidateReads();
    primedAt = performance.now();
    checkComplete(await overview(), 'a warm S3 overview');
  };
  try {
    await withReadCache(LONGEST_READ_CACHE_SECONDS, async () => {
      for (const [i, r] of repos.entries()) {
        if (i % S3_WARM_EVERY === 0) {
          await prime();
          await quiet();
          for (let k = 0; k < 2; k++) warm.push(await timed(overview, cpuMs.overview));
          for (let k = 0; k < 2; k++) listings.push(await timed(listBucket, cpuMs.listing));
        }
        loopMs += await time(() => rawSnapshots(r));
      }
    });
  } finally {
    client.destroy();
  }
  const loop = [loopMs];
  record.figure(
    msFigure(
      {
        id: 's3-overview-warm',
        what: `S3 datastore overview, ${S3_VM_REPOS} repositories x ${S3_SNAPSHOTS_PER_REPO} snapshots, warm`,
        target: '<= 150 ms',
        note: `Backstone's own CPU time per call ${median(cpuMs.overview).toFixed(1)} ms (median), of which the S3 client's share of the bucket's listing (its CPU time in the bare listing, s3-bucket-listing below) is ~${median(cpuMs.listing).toFixed(1)} ms; the rest is the S3 server answering the listing's pages one after the other`,
      },
      warm,
      150,
    ),
    {
      id: 's3-overview-vs-loop',
      what: 'warm S3 overview vs a per-repository `restic snapshots` loop on the same S3 server',
      target: '>= 30x faster',
      backstoneMs: warm,
      baselineMs: loop,
      value: median(loop) / median(warm),
      unit: 'x faster',
      met: median(loop) / median(warm) >= 30,
      note: `the loop: ${S3_VM_REPOS} restic processes run here one after the other, ${(loopMs / S3_VM_REPOS).toFixed(0)} ms each on average`,
    },
    msFigure(
      {
        id: 's3-bucket-listing',
        what: `the bucket's whole key listing (${keys.toLocaleString('en')} keys, pages of 1,000) by an S3 client, in the same groups as the warm calls`,
        target: '— (informative: the S3 server)',
        note: `what every warm S3 overview waits for: ${Math.ceil(keys / 1000)} requests, each for the page after the one before, and the S3 client parsing their XML (${median(cpuMs.listing).toFixed(1)} ms of CPU, median). It moves with the S3 server (here moto, in Python, on the same 2 cores, which sorts the whole bucket for every page), not with Backstone`,
      },
      listings,
    ),
  );
}
