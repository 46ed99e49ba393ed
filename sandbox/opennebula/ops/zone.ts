// The zone's front-ends, for HA tests: a file beside the state (`<one>/zone.json`), not part of
// oned's database, as the Raft state is each oned's own and not a pool object. Without the file the
// sandbox is a single front-end (an empty SERVER_POOL, Raft state SOLO), as a default install is.
// A test makes an HA zone with setZoneServers and moves leadership with setZoneLeader; the CLI reads
// the file on every call, so a change shows at once, as `onezone show` asks each server live.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { FrontendPaths } from '../paths';

export type ZoneServer = { id: number; name: string; endpoint: string };

export type ZoneState = {
  servers: ZoneServer[];
  /** The Raft leader's server ID; undefined during an election (every server a candidate or follower). */
  leader?: number;
  /** Servers that do not answer `one.zone.raftstatus` (the CLI prints `-` for them). */
  unreachable: number[];
  /** The Raft term: one more at each change of leader. */
  term: number;
};

export const ZONE_ID = 0;
export const ZONE_NAME = 'OpenNebula';
export const ZONE_ENDPOINT = 'http://localhost:2633/RPC2';

const zoneFile = (paths: FrontendPaths) => join(paths.one, 'zone.json');

/** The zone's HA state; undefined for a single front-end (no SERVER_POOL). */
export function readZone(paths: FrontendPaths): ZoneState | undefined {
  if (!existsSync(zoneFile(paths))) return undefined;
  return JSON.parse(readFileSync(zoneFile(paths), 'utf8')) as ZoneState;
}

function writeZone(paths: FrontendPaths, zone: ZoneState | undefined): void {
  const file = zoneFile(paths);
  if (!zone) {
    rmSync(file, { force: true });
    return;
  }
  mkdirSync(dirname(file), { recursive: true });
  // Atomic: a CLI call reading meanwhile sees the old state or the new one, never half a file.
  writeFileSync(`${file}.tmp`, JSON.stringify(zone));
  renameSync(`${file}.tmp`, file);
}

/** Makes the zone HA with these front-ends, `leader` leading (term 1); [] makes it a single front-end again. */
export function setZoneServers(paths: FrontendPaths, servers: ZoneServer[], leader?: number): void {
  writeZone(paths, servers.length ? { servers, leader, unreachable: [], term: 1 } : undefined);
}

/** Moves leadership to `leader` (undefined: an election, no leader), in a new term. */
export function setZoneLeader(paths: FrontendPaths, leader: number | undefined): void {
  const zone = readZone(paths);
  if (!zone) throw new Error('the sandbox zone is a single front-end: call setZoneServers first');
  writeZone(paths, { ...zone, leader, term: zone.term + 1 });
}

/** Marks servers as not answering (the CLI shows `-` in their Raft fields). */
export function setZoneUnreachable(paths: FrontendPaths, ids: number[]): void {
  const zone = readZone(paths);
  if (!zone) throw new Error('the sandbox zone is a single front-end: call setZoneServers first');
  writeZone(paths, { ...zone, unreachable: ids });
}

/** A server's Raft state (include/RaftManager.h: 1 candidate, 2 follower, 3 leader). */
export function raftState(zone: ZoneState, id: number): number {
  if (zone.leader === id) return 3;
  return zone.leader === undefined ? 1 : 2;
}
