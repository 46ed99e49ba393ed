// Two Backstone instances on one sandbox zone (OpenNebula HA with two front-ends): only the Raft
// leader's ticker starts a due schedule; once the test moves the leader, the other instance starts
// the next one and the former leader starts nothing, though the run is due in its own store too;
// no run is started by both.
//
// How the two instances are modelled in this one process: each has its own data folder (its own
// SQLite store: schedules, runs, jobs), as two front-ends each have theirs, and its own leader check
// configured with its SERVER_ID (as BACKSTONE_ONE_SERVER_ID would), reading the simulator's
// `onezone show -x 0`. The store is one connection per process, opened for the configured data
// folder, so an instance's turn points the configuration at its folder first; the job runner's
// queue and the caches of OpenNebula and backup-server reads are this process's, shared by both,
// so a turn ends only once the jobs it started have ended. Both instances tick at the same `now`
// in each round, as their two timers would.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  jobEnded,
  resticDatastoreTemplate,
  SANDBOX_ADMIN,
  startBackstoneWorld,
  stopBackstoneWorld,
  type BackstoneWorld,
} from '@/scripts/test-support/backstone-world';
import { frontendPaths } from '@/sandbox/opennebula/paths';
import { setZoneLeader, setZoneServers } from '@/sandbox/opennebula/ops/zone';
import { cliRunner } from '@/sandbox/seed/cli-runner';
import { resetConfigCache } from '@/lib/config';
import { leaderCheck, type LeaderCheck } from '@/lib/leader';
import { closeDb, getDb } from '@/lib/store';
import { setScheduleGate, tick, type TickReport } from './index';

const JOB_MS = 180_000;
const HOUR_MS = 3_600_000;

type Instance = { name: string; dataDir: string; check: LeaderCheck };

let world: BackstoneWorld | undefined;
let secondDataDir: string | undefined;
let dsId = -1;
let a: Instance;
let b: Instance;

/** Makes `inst` the Backstone this process is: its data folder (store) and its leader gate. */
function become(inst: Instance): void {
  process.env.BACKSTONE_DATA_DIR = inst.dataDir;
  resetConfigCache();
  setScheduleGate(() => inst.check.isLeader());
}

/** One tick of `inst` at `now`; waits for the jobs it started. Returns what it started here. */
async function turn(inst: Instance, now: number): Promise<TickReport['started']> {
  become(inst);
  const report = await tick(now);
  const mine = report.started.filter((s) => s.datastoreId === dsId);
  for (const s of mine) {
    const job = await jobEnded(SANDBOX_ADMIN, s.jobId, JOB_MS);
    expect(job.status, `${inst.name} ${s.kind}: ${job.message}`).toBe('succeeded');
  }
  return mine;
}

/** Both instances tick at the same `now`, as their timers would. */
async function round(now: number) {
  const first = await turn(a, now);
  const second = await turn(b, now);
  return { a: first.map((s) => s.kind).sort(), b: second.map((s) => s.kind).sort() };
}

/** The runs and jobs an instance's own store holds for the datastore. */
function counts(inst: Instance) {
  become(inst);
  const db = getDb();
  const runs = db
    .prepare<[number], { kind: string; n: number }>(
      'SELECT kind, COUNT(*) AS n FROM schedule_runs WHERE datastore_id = ? GROUP BY kind ORDER BY kind',
    )
    .all(dsId);
  const jobs = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM jobs').get()?.n ?? 0;
  return { runs: Object.fromEntries(runs.map((r) => [r.kind, r.n])), jobs };
}

beforeAll(async () => {
  world = await startBackstoneWorld('schedules-ha', { BACKSTONE_ONE_SERVER_ID: undefined });
  secondDataDir = mkdtempSync(join(tmpdir(), 'backstone-schedules-ha-second-'));
  const file = join(world.stateDir, 'ha.tpl');
  writeFileSync(file, resticDatastoreTemplate(world, { name: 'Watched twice', password: 'ha-restic-pw' }), {
    mode: 0o600,
  });
  dsId = Number((await cliRunner(world.info)('oneadmin', 'onedatastore', ['create', file])).replace(/\D/g, ''));
  setZoneServers(
    frontendPaths(world.stateDir),
    [
      { id: 0, name: 'fe-1', endpoint: 'http://127.0.0.1:2633/RPC2' },
      { id: 1, name: 'fe-2', endpoint: 'http://127.0.0.2:2633/RPC2' },
    ],
    0,
  );
  a = { name: 'front-end 0', dataDir: world.dataDir, check: leaderCheck({ serverId: () => 0 }) };
  b = { name: 'front-end 1', dataDir: secondDataDir, check: leaderCheck({ serverId: () => 1 }) };
}, 180_000);

afterAll(async () => {
  closeDb();
  await stopBackstoneWorld(world);
  if (secondDataDir) rmSync(secondDataDir, { recursive: true, force: true });
});

describe('schedules on an HA zone', () => {
  it('run only on the leader; after the leader changes the other runs the next one; none runs twice', async () => {
    const paths = frontendPaths(world!.stateDir);
    const seen: [boolean, boolean][] = [];
    const gates = async () => {
      const g: [boolean, boolean] = [await a.check.isLeader(), await b.check.isLeader()];
      seen.push(g);
      return g;
    };
    // A front-end that leads opens its gate once it has seen itself leader for a whole cache period.
    await expect.poll(gates, { timeout: 60_000, interval: 250 }).toEqual([true, false]);

    // Leader 0: the defaults nobody set (lock watch and capacity) are due at once; only front-end 0 starts them.
    expect(await round(Date.now())).toEqual({ a: ['capacity', 'lock-watch'], b: [] });
    // Nothing is due again yet: nobody starts anything.
    expect(await round(Date.now())).toEqual({ a: [], b: [] });

    setZoneLeader(paths, 1);
    await expect.poll(gates, { timeout: 60_000, interval: 250 }).toEqual([false, true]);

    // One hour and a minute on, both schedules are due again in front-end 0's store too (its runs
    // started an hour before): the new leader starts them, the former leader nothing.
    const next = Date.now() + HOUR_MS + 60_000;
    expect(await round(next)).toEqual({ a: [], b: ['capacity', 'lock-watch'] });
    // Its runs just started (on the real clock): nothing is due again for anyone.
    expect(await round(Date.now())).toEqual({ a: [], b: [] });

    // Never both leaders at once, and each run is in exactly one store: none ran twice.
    expect(seen.filter(([x, y]) => x && y)).toEqual([]);
    expect(counts(a)).toEqual({ runs: { capacity: 1, 'lock-watch': 1 }, jobs: 2 });
    expect(counts(b)).toEqual({ runs: { capacity: 1, 'lock-watch': 1 }, jobs: 2 });
  });
});
