import { describe, expect, it } from 'vitest';
import { parseVmTemplate } from './template-xml';

describe('VM template XML', () => {
  it('reads the ID and name of `onetemplate show -x`', async () => {
    const xml = `<VMTEMPLATE><ID>12</ID><UID>0</UID><GID>0</GID><UNAME>oneadmin</UNAME><GNAME>oneadmin</GNAME>
<NAME><![CDATA[web-restored]]></NAME><REGTIME>1750000000</REGTIME>
<TEMPLATE><DISK><IMAGE_ID><![CDATA[31]]></IMAGE_ID></DISK></TEMPLATE></VMTEMPLATE>`;
    expect(await parseVmTemplate(xml)).toEqual({ id: 12, name: 'web-restored' });
  });

  it('refuses XML that is not a VM template', async () => {
    await expect(parseVmTemplate('<IMAGE><ID>1</ID><NAME>x</NAME></IMAGE>')).rejects.toThrow();
  });
});
