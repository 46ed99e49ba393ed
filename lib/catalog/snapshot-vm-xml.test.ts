import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { changesSince, decodeVmXml, prettyXml, summarizeVmXml, VmXmlUnreadable } from './snapshot-vm-xml';

// `restic dump` of a backup's vm.xml from the sandbox (Base64.encode64 layout: 60 columns, an
// extra empty line at the end).
const stored = readFileSync(join(import.meta.dirname, '__fixtures__', 'vm-xml', 'db-primary.vm.xml.b64'));

describe('decodeVmXml', () => {
  it('decodes the 60-column base64 with its trailing empty line', () => {
    expect(stored.toString('latin1').split('\n')[0]).toHaveLength(60);
    const xml = decodeVmXml(stored);
    expect(xml.startsWith('<VM><ID>1</ID>')).toBe(true);
    expect(xml.trimEnd().endsWith('</VM>')).toBe(true);
  });

  it('refuses what is not base64 of a VM', () => {
    expect(() => decodeVmXml('<VM></VM>')).toThrow(VmXmlUnreadable);
    expect(() => decodeVmXml(Buffer.from('<IMAGE/>').toString('base64'))).toThrow(/does not hold a VM/);
  });
});

describe('summarizeVmXml', () => {
  it('puts disks, NICs, CPU and memory first', async () => {
    const s = await summarizeVmXml(decodeVmXml(stored));
    expect(s).toMatchObject({ id: 1, name: 'db-primary', owner: 'alice', cpu: '1', memoryMb: 256, arch: 'x86_64' });
    expect(s.disks.map((d) => [d.diskId, d.attributes.SIZE, d.attributes.TARGET])).toEqual([
      [0, '32', 'vda'],
      [1, '16', 'vdb'],
    ]);
    expect(s.nics).toEqual([expect.objectContaining({ nicId: 0 })]);
    expect(s.nics[0]!.attributes).toMatchObject({ IP: '10.0.0.11', NETWORK: 'private' });
    expect(s.backupConfig).toMatchObject({ MODE: 'INCREMENT', KEEP_LAST: '3' });
  });

  it("reads what only the stored copy shows: group, boot order, graphics (OpenNebula's own VM parser)", async () => {
    const s = await summarizeVmXml(decodeVmXml(stored));
    expect(s).toMatchObject({ group: 'users', boot: 'disk0', graphics: { TYPE: 'VNC', PORT: '5901' } });
    // Only the ID and attributes of a disk or NIC reach the page.
    expect(Object.keys(s.disks[0]!).sort()).toEqual(['attributes', 'diskId']);
  });

  it('refuses a VM XML without the identity every VM has', async () => {
    await expect(summarizeVmXml('<VM><NAME>x</NAME></VM>')).rejects.toThrow(VmXmlUnreadable);
  });

  it('refuses XML that is not well-formed', async () => {
    await expect(summarizeVmXml('<VM><ID>1</VM>')).rejects.toThrow(VmXmlUnreadable);
  });
});

describe('prettyXml', () => {
  it('puts one element per line, leaves on one line, CDATA kept', () => {
    expect(prettyXml('<VM><ID>1</ID><T><CPU><![CDATA[1]]></CPU><E/></T></VM>')).toBe(
      ['<VM>', '  <ID>1</ID>', '  <T>', '    <CPU><![CDATA[1]]></CPU>', '    <E/>', '  </T>', '</VM>', ''].join('\n'),
    );
  });

  it('keeps every character of the original outside indentation', () => {
    const xml = decodeVmXml(stored);
    expect(prettyXml(xml).replace(/\n\s*/g, '')).toBe(xml.replace(/\n\s*/g, ''));
  });
});

describe('changesSince', () => {
  it('reports a resized disk, a new NIC and a changed backup mode; not the per-backup counters', async () => {
    const then = await summarizeVmXml(decodeVmXml(stored));
    const now = {
      name: 'db-primary',
      ...(then.cpu !== undefined ? { cpu: then.cpu } : {}),
      vcpu: '4',
      memoryMb: (then.memoryMb ?? 0) * 2,
      disks: then.disks.map((d) => (d.diskId === 1 ? { ...d, attributes: { ...d.attributes, SIZE: '64' } } : d)),
      nics: [...then.nics, { nicId: 1, attributes: { NIC_ID: '1', NETWORK: 'public' } }],
      backupConfig: { ...then.backupConfig, MODE: 'FULL', LAST_INCREMENT_ID: '4' },
    };
    expect(then.memoryMb).toBeGreaterThan(0);
    expect(changesSince(then, now)).toEqual([
      {
        subject: 'Capacity',
        kind: 'changed',
        attributes: [
          { name: 'MEMORY', before: String(then.memoryMb), after: String(then.memoryMb! * 2) },
          { name: 'VCPU', ...(then.vcpu !== undefined ? { before: then.vcpu } : {}), after: '4' },
        ],
      },
      { subject: 'Disk 1', kind: 'changed', attributes: [{ name: 'SIZE', before: '16', after: '64' }] },
      { subject: 'NIC 1', kind: 'added', attributes: [] },
      {
        subject: 'Backup configuration',
        kind: 'changed',
        attributes: [{ name: 'MODE', before: 'INCREMENT', after: 'FULL' }],
      },
    ]);
  });

  it('is empty when nothing changed', async () => {
    const then = await summarizeVmXml(decodeVmXml(stored));
    expect(
      changesSince(then, {
        name: 'db-primary',
        ...(then.cpu !== undefined ? { cpu: then.cpu } : {}),
        ...(then.vcpu !== undefined ? { vcpu: then.vcpu } : {}),
        ...(then.memoryMb !== undefined ? { memoryMb: then.memoryMb } : {}),
        disks: then.disks,
        nics: then.nics,
        backupConfig: then.backupConfig,
      }),
    ).toEqual([]);
  });
});
