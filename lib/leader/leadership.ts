import type { Zone } from '@/lib/opennebula/models';

// Whether this Backstone's front-end leads the zone, from `onezone show -x`. Pure: the reading and
// the caching are in index.ts.
//
// Which SERVER is "this one" comes from configuration (BACKSTONE_ONE_SERVER_ID: the front-end's
// FEDERATION/SERVER_ID in oned.conf, which an admin sets on every front-end when building HA), not
// from matching ENDPOINTs: a SERVER's ENDPOINT is its XML-RPC address on the Raft network
// (http://10.0.0.1:2633/RPC2), while Backstone reaches its CLI locally or over SSH by a host alias,
// so no string Backstone holds is reliably equal to it. The SERVER_ID is also what OpenNebula's own
// raftstatus names the local server by.

export type Leadership = {
  leader: boolean;
  /** The zone has a SERVER_POOL (OpenNebula HA). */
  ha: boolean;
  /** In words, for the log and the home page. */
  reason: string;
};

export function leadershipOf(zone: Zone, serverId: number | undefined): Leadership {
  if (zone.servers.length === 0) return { leader: true, ha: false, reason: 'a single front-end (no HA)' };
  if (serverId === undefined)
    return {
      leader: false,
      ha: true,
      reason:
        'the zone is HA but BACKSTONE_ONE_SERVER_ID is not set: Backstone cannot tell which front-end it runs on, so it runs nothing',
    };
  const me = zone.servers.find((s) => s.id === serverId);
  if (!me) return { leader: false, ha: true, reason: `SERVER_ID ${serverId} is not in the zone's SERVER_POOL` };
  if (me.state === 'LEADER')
    return { leader: true, ha: true, reason: `front-end ${me.name} (${me.id}) is the Raft leader` };
  const state = me.state ? me.state.toLowerCase() : 'not known (it did not answer)';
  return { leader: false, ha: true, reason: `front-end ${me.name} (${me.id}) is ${state}` };
}
