// onezone list | show: the zone and, in HA, its front-ends with their Raft state (ops/zone.ts), as
// the Ruby CLI prints them (`one.zonepool.info`, `one.zone.info` + each server's raftstatus).
import { parseArgs, XML, type Parsed } from './args';
import { login, printXml, resolve, table, type Ctx } from './context';
import { OneError } from '../errors';
import { readZone, raftState, ZONE_ENDPOINT, ZONE_ID, ZONE_NAME, type ZoneState } from '../ops/zone';
import { zoneXml } from '../xml/zone-xml';

export function onezone(ctx: Ctx, argv: string[]): number {
  const [cmd, ...rest] = argv;
  const a = parseArgs(rest, [XML]);
  switch (cmd) {
    case 'list':
      return list(ctx, a);
    case 'show':
      return show(ctx, a);
    default:
      throw new OneError(`onezone: unknown command ${cmd ?? ''}`.trim());
  }
}

function list(ctx: Ctx, a: Parsed): number {
  login(ctx, 'one.zonepool.info');
  const zone = readZone(ctx.paths);
  if (a.options.xml) {
    printXml(ctx, `<ZONE_POOL>${zoneXml(zone, false)}</ZONE_POOL>`);
    return 0;
  }
  // C marks the zone the CLI is connected to.
  ctx.out(table(['C', 'ID', 'NAME', 'ENDPOINT', 'FED_INDEX'], [['*', ZONE_ID, ZONE_NAME, ZONE_ENDPOINT, -1]]));
  return 0;
}

const STATE_WORDS = ['solo', 'candidate', 'follower', 'leader'];

function show(ctx: Ctx, a: Parsed): number {
  const M = 'one.zone.info';
  login(ctx, M);
  resolve([{ id: ZONE_ID, name: ZONE_NAME }], a.positionals[0], 'ZONE', M, 'ZONE');
  const zone = readZone(ctx.paths);
  if (a.options.xml) {
    printXml(ctx, zoneXml(zone, true));
    return 0;
  }
  ctx.out(
    [
      `ZONE ${ZONE_ID} INFORMATION`,
      `ID                : ${ZONE_ID}`,
      `NAME              : ${ZONE_NAME}`,
      '',
      ...(zone ? servers(zone) : []),
      'ZONE TEMPLATE',
      `ENDPOINT="${ZONE_ENDPOINT}"`,
    ].join('\n'),
  );
  return 0;
}

function servers(zone: ZoneState): string[] {
  const raft = (id: number) =>
    zone.unreachable.includes(id)
      ? ['-', '-', '-', '-', '-', '-']
      : [STATE_WORDS[raftState(zone, id)]!, zone.term, 0, 0, zone.leader ?? -1, -1];
  return [
    'ZONE SERVERS',
    table(
      ['ID', 'NAME', 'ENDPOINT'],
      zone.servers.map((s) => [s.id, s.name, s.endpoint]),
    ),
    '',
    'HA & FEDERATION SYNC STATUS',
    table(
      ['ID', 'NAME', 'STATE', 'TERM', 'INDEX', 'COMMIT', 'VOTE', 'FED_INDEX'],
      zone.servers.map((s) => [s.id, s.name, ...raft(s.id)]),
    ),
    '',
  ];
}
