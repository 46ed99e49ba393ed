import 'server-only';
import type { Zone } from './models';
import { checkId, runOne, type OneCallOptions, type OneCredential } from './cli';
import { parseZone } from './parse/zone-xml';

/**
 * `onezone show -x <id>`: the zone and, in HA, each front-end's Raft state. Never cached: which
 * server leads changes without any write through Backstone (lib/leader keeps its own short cache).
 * The CLI asks every server for its state with a 5 s timeout each, hence the longer default bound.
 */
export async function getZone(cred: OneCredential, id = 0, opts?: OneCallOptions): Promise<Zone> {
  return parseZone(
    await runOne(
      cred,
      { program: 'onezone', args: ['show', '-x', checkId(id, 'zone ID')], effect: 'read', defaultTimeoutMs: 30_000 },
      opts,
    ),
  );
}
