import 'server-only';
import { z } from 'zod';
import { enumName, LCM_STATE_BACKUP, LCM_STATE_BACKUP_POWEROFF, VM_LCM_STATES, VM_STATES } from '../models';
import type { Vm, VmBackupConfig, VmDisk, VmNic } from '../models';
import { reshapeSchedActions } from './sched-action-xml';
import {
  flatStrings,
  intAttr,
  opt,
  owner,
  parseXmlRoot,
  validateXml,
  xContainer,
  xFlat,
  xIds,
  xInt,
  xList,
  xOwner,
  xText,
  yesNo,
} from '../xml';

// VM (share/doc/xsd/vm.xsd). Only what Backstone uses is validated: identity, states, the DISK,
// NIC, OS and GRAPHICS vectors of TEMPLATE, and BACKUPS. Pool listings may carry a reduced body, so
// TEMPLATE and BACKUPS are optional. The same document is what a backup stores as vm.xml.

const Vector = z.record(z.string(), z.unknown()).transform(flatStrings);

const BackupsSchema = xContainer({ BACKUP_CONFIG: xFlat.optional(), BACKUP_IDS: xIds });

export const OneVmXmlSchema = z.object({
  ID: xInt,
  ...xOwner,
  NAME: xText,
  STATE: xInt,
  LCM_STATE: xInt,
  STIME: xInt.optional(),
  ETIME: xInt.optional(),
  SCHED_ACTIONS: xIds,
  TEMPLATE: xContainer({
    DISK: xList(Vector),
    NIC: xList(Vector),
    CPU: xText.optional(),
    VCPU: xText.optional(),
    MEMORY: xText.optional(),
    OS: xList(xFlat),
    GRAPHICS: xList(xFlat),
    SCHED_ACTION: xList(xFlat),
  }).optional(),
  USER_TEMPLATE: xContainer({ ERROR: xText.optional() }).optional(),
  BACKUPS: BackupsSchema.optional(),
});
export type OneVmXml = z.output<typeof OneVmXmlSchema>;

const PoolSchema = xContainer({ VM: xList(OneVmXmlSchema) });

function reshapeDisk(a: Record<string, string>): VmDisk {
  return {
    diskId: intAttr(a, 'DISK_ID') ?? -1,
    ...opt('imageId', intAttr(a, 'IMAGE_ID')),
    ...opt('image', a.IMAGE),
    ...opt('datastoreId', intAttr(a, 'DATASTORE_ID')),
    ...opt('sizeMb', intAttr(a, 'SIZE')),
    ...opt('type', a.TYPE),
    ...opt('target', a.TARGET),
    attributes: a,
  };
}

function reshapeNic(a: Record<string, string>): VmNic {
  return {
    nicId: intAttr(a, 'NIC_ID') ?? -1,
    ...opt('network', a.NETWORK),
    ...opt('networkId', intAttr(a, 'NETWORK_ID')),
    ...opt('ip', a.IP),
    ...opt('mac', a.MAC),
    attributes: a,
  };
}

/** BACKUP_CONFIG: every field is optional text in the XML; numbers are read with the shared coercion. */
export function reshapeBackupConfig(c: Record<string, string>): VmBackupConfig {
  const diskIds = c.DISK_IDS?.trim()
    ? c.DISK_IDS.trim()
        .split(/[\s,]+/)
        .map(Number)
        .filter(Number.isInteger)
    : undefined;
  return {
    ...opt('mode', c.MODE || undefined),
    ...opt('keepLast', intAttr(c, 'KEEP_LAST')),
    ...opt('backupJobId', intAttr(c, 'BACKUP_JOB_ID')),
    ...opt('backupVolatile', yesNo(c.BACKUP_VOLATILE)),
    ...opt('fsFreeze', c.FS_FREEZE || undefined),
    ...opt('incrementMode', c.INCREMENT_MODE || undefined),
    ...opt('diskIds', diskIds),
    ...opt('incrementalBackupId', intAttr(c, 'INCREMENTAL_BACKUP_ID')),
    ...opt('lastIncrementId', intAttr(c, 'LAST_INCREMENT_ID')),
    ...opt('lastDatastoreId', intAttr(c, 'LAST_DATASTORE_ID')),
    ...opt('lastBackupId', c.LAST_BACKUP_ID || undefined),
    ...opt('lastBackupSize', intAttr(c, 'LAST_BACKUP_SIZE')),
    ...opt('lastBridge', c.LAST_BRIDGE || undefined),
  };
}

export function reshapeVm(raw: OneVmXml): Vm {
  const t = raw.TEMPLATE;
  const cfg = raw.BACKUPS?.BACKUP_CONFIG;
  return {
    id: raw.ID,
    name: raw.NAME,
    ...owner(raw),
    state: enumName(VM_STATES, raw.STATE),
    lcmState: enumName(VM_LCM_STATES, raw.LCM_STATE),
    backingUp: raw.LCM_STATE === LCM_STATE_BACKUP || raw.LCM_STATE === LCM_STATE_BACKUP_POWEROFF,
    stime: raw.STIME ?? 0,
    etime: raw.ETIME ?? 0,
    ...opt('cpu', t?.CPU || undefined),
    ...opt('vcpu', t?.VCPU || undefined),
    ...opt('memoryMb', t?.MEMORY && /^\d+$/.test(t.MEMORY) ? Number(t.MEMORY) : undefined),
    disks: (t?.DISK ?? []).map(reshapeDisk),
    nics: (t?.NIC ?? []).map(reshapeNic),
    backups: {
      config: cfg === undefined ? {} : reshapeBackupConfig(cfg),
      backupIds: raw.BACKUPS?.BACKUP_IDS ?? [],
    },
    schedActionIds: raw.SCHED_ACTIONS,
    schedActions: reshapeSchedActions(t?.SCHED_ACTION),
    ...opt('error', raw.USER_TEMPLATE?.ERROR || undefined),
  };
}

/** `onevm show -x` output. */
export async function parseVm(text: string): Promise<Vm> {
  return reshapeVm(validateXml(OneVmXmlSchema, await parseXmlRoot(text, 'VM'), 'VM'));
}

/** `onevm list -x` output. */
export async function parseVmPool(text: string): Promise<Vm[]> {
  const pool = validateXml(PoolSchema, await parseXmlRoot(text, 'VM_POOL'), 'VM_POOL');
  return pool.VM.map(reshapeVm);
}

/**
 * vm.xml as a backup stores it (decoded): the VM's XML from before the backup, the same document as
 * `onevm show -x`, with what only a stored copy is read for: OS and GRAPHICS, and BACKUP_CONFIG as
 * written (attribute by attribute, to compare with the VM now). An element with no attributes is
 * left out.
 */
export type StoredVm = {
  vm: Vm;
  os?: Record<string, string>;
  graphics?: Record<string, string>;
  backupConfig: Record<string, string>;
};

function attributesOrNone(a: Record<string, string> | undefined): Record<string, string> | undefined {
  return a && Object.keys(a).length > 0 ? a : undefined;
}

/** A backup's vm.xml, decoded (see StoredVm). */
export async function parseStoredVm(xml: string): Promise<StoredVm> {
  const raw = validateXml(OneVmXmlSchema, await parseXmlRoot(xml, 'VM'), 'VM');
  return {
    vm: reshapeVm(raw),
    ...opt('os', attributesOrNone(raw.TEMPLATE?.OS[0])),
    ...opt('graphics', attributesOrNone(raw.TEMPLATE?.GRAPHICS[0])),
    backupConfig: raw.BACKUPS?.BACKUP_CONFIG ?? {},
  };
}

/** `<BACKUPS>` on its own (the fragment in the reference examples), for tests and callers holding one. */
export async function parseVmBackups(text: string): Promise<Vm['backups']> {
  const raw = validateXml(BackupsSchema, await parseXmlRoot(text, 'BACKUPS'), 'BACKUPS');
  const cfg = raw.BACKUP_CONFIG;
  return { config: cfg === undefined ? {} : reshapeBackupConfig(cfg), backupIds: raw.BACKUP_IDS };
}
