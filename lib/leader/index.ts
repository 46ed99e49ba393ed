import 'server-only';
import { getConfig } from '@/lib/config';
import { processWide } from '@/lib/config/process-wide';
import { logger } from '@/lib/log';
import { getZone, type Zone } from '@/lib/opennebula';
import { leadershipOf, type Leadership } from './leadership';

// Schedules and alerts run once per cloud: on the Raft leader of an HA zone, or on the only
// front-end. Backstone runs on each front-end; each asks OpenNebula (`onezone show -x 0`) which one
// leads, at most every LEADER_CACHE_MS.
//
// Never two leaders at once: a front-end that has just become leader opens its gate only once it has
// seen itself leader for a whole LEADER_CACHE_MS, by which time the former leader's cached "yes"
// (read before the change) has expired and its next read says "no". Takeover after a change of
// leader therefore takes between one and two LEADER_CACHE_MS plus the ticker's own interval: well
// within a minute. A failed read closes the gate (nothing runs twice; it runs later).

export { leadershipOf, type Leadership } from './leadership';

/** How long one reading of the zone is trusted. */
export const LEADER_CACHE_MS = 10_000;

const log = logger('leader');

export type LeaderCheckOptions = {
  /** This front-end's SERVER_ID, read at each check (configuration may be reloaded). */
  serverId: () => number | undefined;
  readZone?: () => Promise<Zone>;
  cacheMs?: number;
  now?: () => number;
};

export type LeaderCheck = { isLeader(): Promise<boolean>; last(): Leadership | undefined };

type Reading = { at: number; leadership: Leadership; leaderSince?: number };

/** One Backstone's view of leadership (one per process; tests make several). */
export function leaderCheck(opts: LeaderCheckOptions): LeaderCheck {
  const cacheMs = opts.cacheMs ?? LEADER_CACHE_MS;
  const now = opts.now ?? Date.now;
  const readZone = opts.readZone ?? (() => getZone({ kind: 'service' }, 0));
  let reading: Reading | undefined;
  let inFlight: Promise<Reading> | undefined;

  async function read(): Promise<Reading> {
    let leadership: Leadership;
    try {
      leadership = leadershipOf(await readZone(), opts.serverId());
    } catch (err) {
      leadership = {
        leader: false,
        ha: reading?.leadership.ha ?? false,
        reason: `the zone could not be read: ${err instanceof Error ? err.message : String(err)}`,
      };
    }
    const at = now();
    const was = reading;
    if (was?.leadership.reason !== leadership.reason)
      log.info('leadership', { leader: leadership.leader, reason: leadership.reason });
    // Without HA there is no other front-end to wait for.
    const leaderSince = !leadership.leader ? undefined : !leadership.ha ? at - cacheMs : (was?.leaderSince ?? at);
    return { at, leadership, ...(leaderSince === undefined ? {} : { leaderSince }) };
  }

  async function current(): Promise<Reading> {
    if (reading && now() - reading.at < cacheMs) return reading;
    inFlight ??= read().finally(() => (inFlight = undefined));
    reading = await inFlight;
    return reading;
  }

  return {
    async isLeader() {
      const r = await current();
      return r.leadership.leader && r.leaderSince !== undefined && now() - r.leaderSince >= cacheMs;
    },
    last: () => reading?.leadership,
  };
}

const processCheck = () => processWide('leader.check', () => leaderCheck({ serverId: () => getConfig().oneServerId }));

/** Whether this Backstone is the one that runs schedules and alerts now. */
export function isLeader(): Promise<boolean> {
  return processCheck().isLeader();
}

/** For the schedule and alert tickers: run this tick only when it answers true. */
export const leaderGate = (): Promise<boolean> => isLeader();

/** The last reading in words (undefined before the first), for the home page or logs. */
export function lastLeadership(): Leadership | undefined {
  return processCheck().last();
}
