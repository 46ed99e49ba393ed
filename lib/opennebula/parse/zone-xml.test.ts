import { describe, expect, it } from 'vitest';
import { fixture } from '../test-support/fixtures';
import { parseZone } from './zone-xml';

describe('zone XML', () => {
  it('reads a single front-end: no SERVER_POOL entries', async () => {
    expect(await parseZone(fixture('onezone-show-solo.xml'))).toEqual({
      id: 0,
      name: 'OpenNebula',
      endpoint: 'http://localhost:2633/RPC2',
      servers: [],
    });
  });

  it('reads each front-end of an HA zone with the Raft state the CLI added', async () => {
    const zone = await parseZone(fixture('onezone-show-ha.xml'));
    expect(zone.servers).toEqual([
      { id: 0, name: 'fe-1', endpoint: 'http://10.0.0.1:2633/RPC2', state: 'FOLLOWER', term: 7 },
      { id: 1, name: 'fe-2', endpoint: 'http://10.0.0.2:2633/RPC2', state: 'LEADER', term: 7 },
      // `-` in every field: the CLI could not reach that server; its state is not known.
      { id: 2, name: 'fe-3', endpoint: 'http://10.0.0.3:2633/RPC2' },
    ]);
  });

  it('reads a zone without SERVER_POOL at all (older oned) as a single front-end', async () => {
    const zone = await parseZone('<ZONE><ID>0</ID><NAME>z</NAME><TEMPLATE><ENDPOINT>e</ENDPOINT></TEMPLATE></ZONE>');
    expect(zone.servers).toEqual([]);
  });

  it('treats a state outside Raft as unknown', async () => {
    const zone = await parseZone(
      '<ZONE><ID>0</ID><NAME>z</NAME><SERVER_POOL><SERVER><ID>4</ID><NAME>x</NAME><STATE>9</STATE></SERVER></SERVER_POOL></ZONE>',
    );
    expect(zone.servers[0]?.state).toBeUndefined();
  });

  it('refuses other XML', async () => {
    await expect(parseZone('<VM><ID>1</ID></VM>')).rejects.toThrow(/expected <ZONE>/);
  });
});
