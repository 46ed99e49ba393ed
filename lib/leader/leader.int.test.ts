// Two Backstone instances on one sandbox zone (two leader checks configured as front-ends 0 and 1,
// both reading the front-end simulator's `onezone show -x 0`): only the leader's gate opens; after
// the test moves the Raft leader, the other one's gate opens within a minute; never both at once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBackstoneWorld, stopBackstoneWorld, type BackstoneWorld } from '@/scripts/test-support/backstone-world';
import { frontendPaths } from '@/sandbox/opennebula/paths';
import { setZoneLeader, setZoneServers } from '@/sandbox/opennebula/ops/zone';
import { isLeader, LEADER_CACHE_MS, leaderCheck } from './index';

let world: BackstoneWorld | undefined;

beforeAll(async () => {
  world = await startBackstoneWorld('leader', { BACKSTONE_ONE_SERVER_ID: undefined });
}, 180_000);

afterAll(async () => {
  await stopBackstoneWorld(world);
});

describe('leader gate', () => {
  it('a single front-end (the default sandbox) is the leader', async () => {
    expect(await isLeader()).toBe(true);
  });

  it('in an HA zone, only the Raft leader runs; leadership moves to the other within a minute, never both', async () => {
    const paths = frontendPaths(world!.stateDir);
    setZoneServers(
      paths,
      [
        { id: 0, name: 'fe-1', endpoint: 'http://127.0.0.1:2633/RPC2' },
        { id: 1, name: 'fe-2', endpoint: 'http://127.0.0.2:2633/RPC2' },
        { id: 2, name: 'fe-3', endpoint: 'http://127.0.0.3:2633/RPC2' },
      ],
      0,
    );
    const first = leaderCheck({ serverId: () => 0 });
    const second = leaderCheck({ serverId: () => 1 });
    const gates = async () => Promise.all([first.isLeader(), second.isLeader()]);
    const seen: [boolean, boolean][] = [];
    const sample = async () => {
      const g = await gates();
      seen.push(g);
      return g;
    };

    await expect.poll(sample, { timeout: 60_000, interval: 200 }).toEqual([true, false]);
    setZoneLeader(paths, 1);
    await expect.poll(sample, { timeout: 60_000, interval: 200 }).toEqual([false, true]);
    // The new leader's gate stays open and the former one's closed.
    expect(await gates()).toEqual([false, true]);
    expect(seen.filter(([a, b]) => a && b)).toEqual([]);
    expect(second.last()?.reason).toMatch(/fe-2 \(1\) is the Raft leader/);
    expect(LEADER_CACHE_MS).toBeLessThanOrEqual(15_000);
  });
});
