// ZONE as oned writes it (share/doc/xsd/zone.xsd: ID, NAME, TEMPLATE/ENDPOINT, SERVER_POOL/SERVER
// with ENDPOINT, ID, NAME, CDATA like other extended template attributes), with what `onezone show`
// adds per server (OpenNebula::Zone#info_extended): STATE, TERM, VOTEDFOR, COMMIT, LOG_INDEX,
// FEDLOG_INDEX from that server's `one.zone.raftstatus`, or `-` in each when it does not answer.
import { raftState, ZONE_ENDPOINT, ZONE_ID, ZONE_NAME, type ZoneState } from '../ops/zone';
import { cel, el, text } from './escape';

const RAFT_FIELDS = ['STATE', 'TERM', 'VOTEDFOR', 'COMMIT', 'LOG_INDEX', 'FEDLOG_INDEX'] as const;

function raftXml(zone: ZoneState, id: number): string {
  if (zone.unreachable.includes(id)) return RAFT_FIELDS.map((f) => el(f, '-')).join('');
  const values: Record<(typeof RAFT_FIELDS)[number], number> = {
    STATE: raftState(zone, id),
    TERM: zone.term,
    VOTEDFOR: zone.leader ?? -1,
    COMMIT: 0,
    LOG_INDEX: 0,
    FEDLOG_INDEX: -1,
  };
  return RAFT_FIELDS.map((f) => el(f, values[f])).join('');
}

/** The zone; `extended` adds each server's Raft state as `onezone show` does (`list` does not). */
export function zoneXml(zone: ZoneState | undefined, extended: boolean): string {
  const servers = (zone?.servers ?? []).map(
    (s) =>
      '<SERVER>' +
      cel('ENDPOINT', s.endpoint) +
      cel('ID', String(s.id)) +
      cel('NAME', s.name) +
      (extended && zone ? raftXml(zone, s.id) : '') +
      '</SERVER>',
  );
  return (
    '<ZONE>' +
    el('ID', ZONE_ID) +
    el('NAME', text(ZONE_NAME)) +
    `<TEMPLATE>${cel('ENDPOINT', ZONE_ENDPOINT)}</TEMPLATE>` +
    (servers.length ? `<SERVER_POOL>${servers.join('')}</SERVER_POOL>` : '<SERVER_POOL/>') +
    '</ZONE>'
  );
}
