// `onezone list` and `onezone show [-x]` as the real CLI answers them: a single front-end by
// default (an empty SERVER_POOL), and an HA zone whose leader the test moves (ops/zone.ts), with
// each server's Raft fields as OpenNebula::Zone#info_extended adds them (`-` for one that does not
// answer). No zone.xsd is kept in xsd/: the element order of share/doc/xsd/zone.xsd is checked here.
import { describe, expect, it } from 'vitest';
import { testFrontend } from './test-frontend';
import { frontendPaths } from './paths';
import { setZoneLeader, setZoneServers, setZoneUnreachable } from './ops/zone';
import { one } from './test-support';

const world = testFrontend('zone');
const paths = () => frontendPaths(world.stateDir);

/** The element names of `xml` in document order (a structural check in place of the XSD). */
const tags = (xml: string) => [...xml.matchAll(/<([A-Z_]+)[ />]/g)].map((m) => m[1]);

describe('onezone', () => {
  it('shows a single front-end: zone 0 with an empty SERVER_POOL', async () => {
    const r = await one(world.info, 'alice', 'onezone', 'show', '-x', '0');
    expect(r.code).toBe(0);
    expect(tags(r.stdout)).toEqual(['ZONE', 'ID', 'NAME', 'TEMPLATE', 'ENDPOINT', 'SERVER_POOL']);
    expect(r.stdout).toContain('<NAME>OpenNebula</NAME>');
    expect(r.stdout).toMatch(/<SERVER_POOL\/>/);
    const list = await one(world.info, 'oneadmin', 'onezone', 'list', '-x');
    expect(tags(list.stdout).slice(0, 2)).toEqual(['ZONE_POOL', 'ZONE']);
    expect((await one(world.info, 'oneadmin', 'onezone', 'list')).stdout).toMatch(/^C\s+ID\s+NAME\s+ENDPOINT/);
  });

  it('refuses an unknown zone and a missing argument as the CLI does', async () => {
    const r = await one(world.info, 'oneadmin', 'onezone', 'show', '-x', '3');
    expect(r.code).toBe(255);
    expect(r.stderr.trim()).toBe('[one.zone.info] Error getting zone [3].');
    expect((await one(world.info, 'oneadmin', 'onezone', 'show', '-x')).code).not.toBe(0);
    expect((await one(world.info, 'oneadmin', 'onezone', 'show', 'OpenNebula')).stdout).toContain('ZONE 0 INFORMATION');
  });

  it('shows the HA servers with their Raft state, and a leader change at once', async () => {
    setZoneServers(
      paths(),
      [
        { id: 0, name: 'fe-1', endpoint: 'http://127.0.0.1:2633/RPC2' },
        { id: 1, name: 'fe-2', endpoint: 'http://127.0.0.2:2633/RPC2' },
        { id: 2, name: 'fe-3', endpoint: 'http://127.0.0.3:2633/RPC2' },
      ],
      0,
    );
    const server = (xml: string, id: number) => {
      const all = [...xml.matchAll(/<SERVER>([\s\S]*?)<\/SERVER>/g)].map((m) => m[1]!);
      const s = all.find((x) => x.includes(`<ID><![CDATA[${id}]]></ID>`))!;
      return { state: /<STATE>(.*)<\/STATE>/.exec(s)?.[1], term: /<TERM>(.*)<\/TERM>/.exec(s)?.[1], xml: s };
    };
    const before = (await one(world.info, 'oneadmin', 'onezone', 'show', '-x', '0')).stdout;
    expect(tags(server(before, 0).xml)).toEqual([
      'ENDPOINT',
      'ID',
      'NAME',
      'STATE',
      'TERM',
      'VOTEDFOR',
      'COMMIT',
      'LOG_INDEX',
      'FEDLOG_INDEX',
    ]);
    expect([0, 1, 2].map((id) => server(before, id).state)).toEqual(['3', '2', '2']);

    setZoneLeader(paths(), 2);
    const after = (await one(world.info, 'oneadmin', 'onezone', 'show', '-x', '0')).stdout;
    expect([0, 1, 2].map((id) => server(after, id).state)).toEqual(['2', '2', '3']);
    expect(Number(server(after, 2).term)).toBe(Number(server(before, 2).term) + 1);
    expect((await one(world.info, 'oneadmin', 'onezone', 'show', '0')).stdout).toMatch(/fe-3\s+leader/);

    // The pool listing has no Raft fields (only `show` asks each server).
    const list = (await one(world.info, 'oneadmin', 'onezone', 'list', '-x')).stdout;
    expect(list).not.toContain('<STATE>');

    setZoneUnreachable(paths(), [1]);
    const partial = (await one(world.info, 'oneadmin', 'onezone', 'show', '-x', '0')).stdout;
    expect(server(partial, 1).state).toBe('-');

    setZoneLeader(paths(), undefined);
    const election = (await one(world.info, 'oneadmin', 'onezone', 'show', '-x', '0')).stdout;
    expect([0, 2].map((id) => server(election, id).state)).toEqual(['1', '1']);

    setZoneServers(paths(), []);
    expect((await one(world.info, 'oneadmin', 'onezone', 'show', '-x', '0')).stdout).toMatch(/<SERVER_POOL\/>/);
  });
});
