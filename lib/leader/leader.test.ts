import { describe, expect, it } from 'vitest';
import type { Zone, ZoneServer } from '@/lib/opennebula/models';
import { leaderCheck, leadershipOf } from './index';

const zone = (servers: ZoneServer[]): Zone => ({ id: 0, name: 'OpenNebula', endpoint: 'e', servers });
const ha = (leader: number | undefined): Zone =>
  zone(
    [0, 1, 2].map((id) => ({
      id,
      name: `fe-${id}`,
      endpoint: `http://10.0.0.${id}:2633/RPC2`,
      state: id === leader ? 'LEADER' : 'FOLLOWER',
    })),
  );

describe('leadershipOf', () => {
  it('a single front-end (no SERVER_POOL) leads, whatever the configured SERVER_ID', () => {
    expect(leadershipOf(zone([]), undefined)).toMatchObject({ leader: true, ha: false });
    expect(leadershipOf(zone([]), 3).leader).toBe(true);
  });

  it('in HA, leads only when its own SERVER_ID is the Raft leader', () => {
    expect(leadershipOf(ha(1), 1)).toMatchObject({ leader: true, ha: true });
    expect(leadershipOf(ha(1), 0)).toMatchObject({ leader: false, reason: 'front-end fe-0 (0) is follower' });
    expect(leadershipOf(ha(undefined), 1).leader).toBe(false);
  });

  it('in HA without a configured SERVER_ID, or one not in the pool, runs nothing', () => {
    expect(leadershipOf(ha(1), undefined)).toMatchObject({
      leader: false,
      reason: expect.stringMatching(/BACKSTONE_ONE_SERVER_ID/),
    });
    expect(leadershipOf(ha(1), 7)).toMatchObject({ leader: false, reason: expect.stringMatching(/not in the zone/) });
  });

  it('a server whose state is not known does not lead', () => {
    const z = zone([{ id: 0, name: 'fe-0', endpoint: 'e' }]);
    expect(leadershipOf(z, 0)).toMatchObject({ leader: false, reason: expect.stringMatching(/not known/) });
  });
});

describe('leaderCheck', () => {
  const world = () => {
    let t = 1_000_000;
    let current: Zone | Error = ha(0);
    let reads = 0;
    const readZone = async () => {
      reads++;
      if (current instanceof Error) throw current;
      return current;
    };
    const make = (serverId: number | undefined) =>
      leaderCheck({ serverId: () => serverId, readZone, cacheMs: 10_000, now: () => t });
    return {
      make,
      set: (z: Zone | Error) => (current = z),
      tick: (ms: number) => (t += ms),
      reads: () => reads,
    };
  };

  it('a single front-end opens at once, and reads the zone at most once per cache bound', async () => {
    const w = world();
    w.set(zone([]));
    const check = w.make(undefined);
    expect(await check.isLeader()).toBe(true);
    w.tick(5_000);
    expect(await check.isLeader()).toBe(true);
    expect(w.reads()).toBe(1);
    w.tick(5_000);
    expect(await check.isLeader()).toBe(true);
    expect(w.reads()).toBe(2);
  });

  it("never opens two gates: a new leader waits one cache bound, past the old leader's last yes", async () => {
    const w = world();
    const a = w.make(0);
    const b = w.make(1);
    expect(await a.isLeader()).toBe(false); // seen leader once: waits a bound
    w.tick(10_000);
    expect(await a.isLeader()).toBe(true);
    expect(await b.isLeader()).toBe(false);
    w.set(ha(1));
    let opened: number | undefined;
    for (let ms = 0; ms <= 60_000; ms += 1_000) {
      const [ga, gb] = [await a.isLeader(), await b.isLeader()];
      expect(ga && gb).toBe(false);
      if (gb && opened === undefined) opened = ms;
      w.tick(1_000);
    }
    expect(opened).toBeDefined();
    expect(opened!).toBeLessThanOrEqual(20_000);
    expect(await a.isLeader()).toBe(false);
  });

  it('a failed read closes the gate, and leadership starts over after it', async () => {
    const w = world();
    const a = w.make(0);
    await a.isLeader();
    w.tick(10_000);
    expect(await a.isLeader()).toBe(true);
    w.tick(10_000);
    w.set(new Error('Cannot process request, oned cluster in election mode'));
    expect(await a.isLeader()).toBe(false);
    expect(a.last()?.reason).toMatch(/election mode/);
    w.tick(10_000);
    w.set(ha(0));
    expect(await a.isLeader()).toBe(false);
    w.tick(10_000);
    expect(await a.isLeader()).toBe(true);
  });

  it('concurrent checks share one read', async () => {
    const w = world();
    const a = w.make(0);
    await Promise.all([a.isLeader(), a.isLeader(), a.isLeader()]);
    expect(w.reads()).toBe(1);
  });
});
