// vm.xml as a backup stores it: OpenNebula's VM XML from before the backup, written by
// `Base64.encode64` (60-column lines, an extra empty line at the end). Decoded, summarised (disks,
// NICs, CPU, memory first), pretty-printed, and compared with the VM as it is now. Read by
// lib/opennebula's own VM parser: it is the document `onevm show -x` prints.
import { OneXmlError, parseStoredVm, type StoredVm } from '@/lib/opennebula';
import { ExpectedError } from '@/lib/errors/expected-error';

/** vm.xml in the backup is not what OpenNebula writes: the backup's content failed, not Backstone. */
export class VmXmlUnreadable extends ExpectedError {
  override name = 'VmXmlUnreadable';
  readonly kind = 'failed';
}

export type VmXmlSummary = {
  id?: number;
  name?: string;
  owner?: string;
  group?: string;
  cpu?: string;
  vcpu?: string;
  memoryMb?: number;
  arch?: string;
  boot?: string;
  disks: { diskId: number; attributes: Record<string, string> }[];
  nics: { nicId: number; attributes: Record<string, string> }[];
  graphics?: Record<string, string>;
  backupConfig: Record<string, string>;
};

/** The vm.xml file's bytes (base64 text) as XML; anything that does not decode to a <VM> is refused. */
export function decodeVmXml(stored: Buffer | string): string {
  const b64 = (typeof stored === 'string' ? stored : stored.toString('latin1')).replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) throw new VmXmlUnreadable('vm.xml is not base64 text');
  const xml = Buffer.from(b64, 'base64').toString('utf8');
  if (!/^\s*(<\?xml[^>]*>\s*)?<VM[\s>]/.test(xml)) throw new VmXmlUnreadable('vm.xml does not hold a VM');
  return xml;
}

export async function summarizeVmXml(xml: string): Promise<VmXmlSummary> {
  let stored: StoredVm;
  try {
    stored = await parseStoredVm(xml);
  } catch (e) {
    if (e instanceof OneXmlError) throw new VmXmlUnreadable(`vm.xml could not be read: ${e.detail}`);
    throw e;
  }
  const { vm, os, graphics } = stored;
  return {
    id: vm.id,
    name: vm.name,
    owner: vm.uname,
    group: vm.gname,
    ...opt('cpu', vm.cpu),
    ...opt('vcpu', vm.vcpu),
    ...opt('memoryMb', vm.memoryMb),
    ...opt('arch', os?.ARCH),
    ...opt('boot', os?.BOOT),
    // Only the ID and the attributes as written: what the page shows and the comparison reads.
    disks: vm.disks.map((d) => ({ diskId: d.diskId, attributes: d.attributes })),
    nics: vm.nics.map((n) => ({ nicId: n.nicId, attributes: n.attributes })),
    ...opt('graphics', graphics),
    backupConfig: stored.backupConfig,
  };
}

function opt<K extends string, V>(key: K, value: V | undefined): { [k in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [k in K]?: V };
}

/**
 * Indents XML, one element per line; text, CDATA and comments are kept verbatim. OpenNebula's
 * XML is one line; this is for reading only.
 */
export function prettyXml(xml: string): string {
  const tokens = xml.match(/<!\[CDATA\[[\s\S]*?\]\]>|<!--[\s\S]*?-->|<[^>]+>|[^<]+/g) ?? [];
  const lines: string[] = [];
  let depth = 0;
  const pad = () => '  '.repeat(depth);
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i]!;
    if (tok.startsWith('<?') || tok.startsWith('<!--')) {
      lines.push(pad() + tok.trim());
    } else if (tok.startsWith('</')) {
      depth = Math.max(0, depth - 1);
      lines.push(pad() + tok);
    } else if (tok.startsWith('<') && !tok.startsWith('<![CDATA[')) {
      if (tok.endsWith('/>')) {
        lines.push(pad() + tok);
        continue;
      }
      // <A>text</A> (text or CDATA, possibly several pieces) stays on one line.
      let j = i + 1;
      let inner = '';
      while (
        j < tokens.length &&
        !tokens[j]!.startsWith('</') &&
        (tokens[j]!.startsWith('<![CDATA[') || !tokens[j]!.startsWith('<'))
      ) {
        inner += tokens[j];
        j++;
      }
      if (j < tokens.length && tokens[j]!.startsWith('</') && (inner === '' || inner.trim() !== '')) {
        lines.push(pad() + tok + inner + tokens[j]);
        i = j;
        continue;
      }
      lines.push(pad() + tok);
      depth++;
    } else if (tok.trim() !== '') {
      lines.push(pad() + tok.trim());
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The VM as OpenNebula reports it now: the fields compared with vm.xml. */
export type CurrentVm = {
  name: string;
  cpu?: string;
  vcpu?: string;
  memoryMb?: number;
  disks: { diskId: number; attributes: Record<string, string> }[];
  nics: { nicId: number; attributes: Record<string, string> }[];
  backupConfig: Record<string, string>;
};

export type ConfigChange = {
  /** e.g. "Name", "Disk 1", "NIC 0", "Backup configuration". */
  subject: string;
  kind: 'added' | 'removed' | 'changed';
  /** For 'changed': each attribute that differs. */
  attributes: { name: string; before?: string; after?: string }[];
};

/**
 * Attributes that move on their own with every backup or monitoring cycle; comparing them would
 * report a change after every backup.
 */
const NOISE = new Set([
  'LAST_INCREMENT_ID',
  'INCREMENTAL_BACKUP_ID',
  'LAST_DATASTORE_ID',
  'LAST_BACKUP_ID',
  'LAST_BACKUP_SIZE',
  'LAST_BRIDGE',
  'ACTIVE_BACKUP_JOB_ID',
]);

function attributeDiff(before: Record<string, string>, after: Record<string, string>) {
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((n) => !NOISE.has(n)).sort();
  return names
    .filter((n) => before[n] !== after[n])
    .map((n) => ({ name: n, ...opt('before', before[n]), ...opt('after', after[n]) }));
}

function vectorDiff<T extends { attributes: Record<string, string> }>(
  label: string,
  idOf: (x: T) => number,
  then: T[],
  now: T[],
): ConfigChange[] {
  const changes: ConfigChange[] = [];
  const ids = [...new Set([...then.map(idOf), ...now.map(idOf)])].sort((a, b) => a - b);
  for (const id of ids) {
    const a = then.find((x) => idOf(x) === id);
    const b = now.find((x) => idOf(x) === id);
    if (a && !b) changes.push({ subject: `${label} ${id}`, kind: 'removed', attributes: [] });
    else if (!a && b) changes.push({ subject: `${label} ${id}`, kind: 'added', attributes: [] });
    else if (a && b) {
      const attrs = attributeDiff(a.attributes, b.attributes);
      if (attrs.length) changes.push({ subject: `${label} ${id}`, kind: 'changed', attributes: attrs });
    }
  }
  return changes;
}

/** CPU, VCPU and MEMORY as template attributes (absent ones left out). */
function capacityOf(v: { cpu?: string; vcpu?: string; memoryMb?: number }): Record<string, string> {
  return {
    ...opt('CPU', v.cpu),
    ...opt('VCPU', v.vcpu),
    ...opt('MEMORY', v.memoryMb === undefined ? undefined : String(v.memoryMb)),
  };
}

/** What differs between the VM at backup time (vm.xml) and the VM now; empty when nothing does. */
export function changesSince(then: VmXmlSummary, now: CurrentVm): ConfigChange[] {
  const changes: ConfigChange[] = [];
  if (then.name !== undefined && then.name !== now.name)
    changes.push({
      subject: 'Name',
      kind: 'changed',
      attributes: [{ name: 'NAME', before: then.name, after: now.name }],
    });
  const capacity = attributeDiff(capacityOf(then), capacityOf(now));
  if (capacity.length) changes.push({ subject: 'Capacity', kind: 'changed', attributes: capacity });
  changes.push(...vectorDiff('Disk', (d) => d.diskId, then.disks, now.disks));
  changes.push(...vectorDiff('NIC', (n) => n.nicId, then.nics, now.nics));
  const cfg = attributeDiff(then.backupConfig, now.backupConfig);
  if (cfg.length) changes.push({ subject: 'Backup configuration', kind: 'changed', attributes: cfg });
  return changes;
}
