import 'server-only';
import { getVm, OneNotAuthorized, OneNotFound, type Vm, type VmBackupConfig } from '@/lib/opennebula';
import type { Reader } from './reader';
import { snapshotVmXml } from './snapshot-dump-head';
import type { SnapshotRef } from './snapshot-resolve';
import { changesSince, prettyXml, summarizeVmXml, type ConfigChange, type VmXmlSummary } from './snapshot-vm-xml';

// The VM at backup time (its vm.xml), and what changed since against the VM as OpenNebula shows it
// now to the reader.

export type VmAtBackup = {
  summary: VmXmlSummary;
  pretty: string;
};

export async function vmAtBackup(ref: SnapshotRef, signal?: AbortSignal): Promise<VmAtBackup> {
  const xml = await snapshotVmXml(ref, signal);
  return { summary: await summarizeVmXml(xml), pretty: prettyXml(xml) };
}

function backupConfigAttributes(c: VmBackupConfig): Record<string, string> {
  const out: Record<string, string> = {};
  const put = (k: string, v: string | number | boolean | number[] | undefined) => {
    if (v === undefined) return;
    out[k] = typeof v === 'boolean' ? (v ? 'YES' : 'NO') : Array.isArray(v) ? v.join(',') : String(v);
  };
  put('MODE', c.mode);
  put('KEEP_LAST', c.keepLast);
  put('BACKUP_JOB_ID', c.backupJobId);
  put('BACKUP_VOLATILE', c.backupVolatile);
  put('FS_FREEZE', c.fsFreeze);
  put('INCREMENT_MODE', c.incrementMode);
  put('DISK_IDS', c.diskIds);
  return out;
}

const COMPARED_BACKUP_KEYS = [
  'MODE',
  'KEEP_LAST',
  'BACKUP_JOB_ID',
  'BACKUP_VOLATILE',
  'FS_FREEZE',
  'INCREMENT_MODE',
  'DISK_IDS',
];

export type ChangedSince =
  { kind: 'compared'; vmName: string; changes: ConfigChange[] } | { kind: 'gone'; message: string };

/** The VM's configuration at backup time against the VM as OpenNebula shows it now to the reader. */
export async function changedSince(
  reader: Reader,
  then: VmXmlSummary,
  vmId: number | undefined,
): Promise<ChangedSince> {
  const id = vmId ?? then.id;
  if (id === undefined) return { kind: 'gone', message: 'The snapshot names no VM.' };
  let vm: Vm;
  try {
    vm = await getVm(reader.credential, id);
  } catch (err) {
    if (err instanceof OneNotFound || err instanceof OneNotAuthorized)
      return { kind: 'gone', message: `VM ${id} no longer exists (or is no longer yours).` };
    throw err;
  }
  const thenBackup: Record<string, string> = {};
  for (const k of COMPARED_BACKUP_KEYS) if (then.backupConfig[k] !== undefined) thenBackup[k] = then.backupConfig[k];
  const changes = changesSince(
    { ...then, backupConfig: thenBackup },
    {
      name: vm.name,
      ...(vm.cpu !== undefined ? { cpu: vm.cpu } : {}),
      ...(vm.vcpu !== undefined ? { vcpu: vm.vcpu } : {}),
      ...(vm.memoryMb !== undefined ? { memoryMb: vm.memoryMb } : {}),
      disks: vm.disks.map((d) => ({ diskId: d.diskId, attributes: d.attributes })),
      nics: vm.nics.map((n) => ({ nicId: n.nicId, attributes: n.attributes })),
      backupConfig: backupConfigAttributes(vm.backups.config),
    },
  );
  return { kind: 'compared', vmName: vm.name, changes };
}
