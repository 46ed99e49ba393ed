import 'server-only';
import { z } from 'zod';
import { RAFT_STATES, type Zone, type ZoneServer } from '../models';
import { opt, parseXmlRoot, validateXml, xContainer, xList, xText } from '../xml';

// ZONE (share/doc/xsd/zone.xsd) as `onezone show -x` prints it: oned's ID, NAME, TEMPLATE/ENDPOINT
// and SERVER_POOL/SERVER (ENDPOINT, ID, NAME), to which the CLI (OpenNebula::Zone#info_extended)
// adds each server's Raft STATE, TERM, VOTEDFOR, COMMIT, LOG_INDEX and FEDLOG_INDEX, or `-` in
// each when that server did not answer. So those are read as text and `-` means "not known".

/** Integer text, or undefined for the CLI's `-` (an unreachable server) or anything else. */
const xMaybeInt = xText.optional().transform((s) => {
  const t = s?.trim() ?? '';
  return /^-?\d+$/.test(t) ? Number(t) : undefined;
});

const ServerSchema = z.object({
  ID: xText.transform((s) => s.trim()).pipe(z.string().regex(/^\d+$/, 'expected a server ID').transform(Number)),
  NAME: xText.optional(),
  ENDPOINT: xText.optional(),
  STATE: xMaybeInt,
  TERM: xMaybeInt,
});

const ZoneSchema = z.object({
  ID: xText.transform((s) => s.trim()).pipe(z.string().regex(/^\d+$/, 'expected a zone ID').transform(Number)),
  NAME: xText,
  TEMPLATE: xContainer({ ENDPOINT: xText.optional() }).optional(),
  SERVER_POOL: xContainer({ SERVER: xList(ServerSchema) }).optional(),
});

function raftState(n: number | undefined): ZoneServer['state'] {
  return n === undefined ? undefined : RAFT_STATES[n];
}

/** `onezone show -x <id>` output. */
export async function parseZone(text: string): Promise<Zone> {
  const raw = validateXml(ZoneSchema, await parseXmlRoot(text, 'ZONE'), 'ZONE');
  return {
    id: raw.ID,
    name: raw.NAME,
    endpoint: raw.TEMPLATE?.ENDPOINT?.trim() ?? '',
    servers: (raw.SERVER_POOL?.SERVER ?? []).map((s) => ({
      id: s.ID,
      name: s.NAME ?? '',
      endpoint: s.ENDPOINT?.trim() ?? '',
      ...opt('state', raftState(s.STATE)),
      ...opt('term', s.TERM),
    })),
  };
}
