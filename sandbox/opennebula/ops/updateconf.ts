// VirtualMachine::updateconf (OpenNebula 7.0) for the sections the sandbox keeps: the allowed
// states, OS/FEATURES/INPUT/GRAPHICS/VIDEO/RAW/CPU_MODEL (replace_vector_values), CONTEXT, and
// BACKUP_CONFIG as Backups::parse reads it. Returns oned's error text, or nothing on success; the
// caller saves nothing on error.
import type { Vm } from '../store/types';
import { getVectors, isVector, type Template, type VectorAttr } from '../template/template';
import { LCM_STATE, VM_STATE, stateStr } from './states';

// VirtualMachineTemplate::UPDATECONF_ATTRS (the CLI's `onevm updateconf` help lists the same).
const UPDATECONF_ATTRS: Record<string, string[]> = {
  OS: [
    'ARCH',
    'MACHINE',
    'KERNEL',
    'INITRD',
    'BOOTLOADER',
    'BOOT',
    'KERNEL_CMD',
    'ROOT',
    'SD_DISK_BUS',
    'UUID',
    'FIRMWARE',
    'FIRMWARE_FORMAT',
  ],
  FEATURES: [
    'ACPI',
    'PAE',
    'APIC',
    'LOCALTIME',
    'HYPERV',
    'GUEST_AGENT',
    'VIRTIO_SCSI_QUEUES',
    'VIRTIO_BLK_QUEUES',
    'IOTHREADS',
    'MIGRATE_AUTO_CONVERGE',
    'MIGRATE_COMPRESSED',
  ],
  INPUT: ['TYPE', 'BUS'],
  GRAPHICS: ['TYPE', 'LISTEN', 'PASSWD', 'KEYMAP', 'COMMAND'],
  VIDEO: ['TYPE', 'IOMMU', 'ATS', 'VRAM', 'RESOLUTION'],
  RAW: ['DATA', 'DATA_VMX', 'TYPE', 'VALIDATE'],
  CPU_MODEL: ['MODEL', 'FEATURES'],
};

// States in which the configuration may change (of those the sandbox has).
const OK_STATES = new Set<number>([1, 2, VM_STATE.POWEROFF, 9, 10, 11]);
const OK_LCM = new Set<number>([LCM_STATE.LCM_INIT, LCM_STATE.RUNNING]);

const first = (t: Template, name: string): VectorAttr | undefined => getVectors(t, name)[0];

function replaceVectorValues(vm: Vm, tmpl: Template, name: string, append: boolean): void {
  const next = first(tmpl, name);
  const old = first(vm.template, name);
  if (!next) {
    if (!append) vm.template = vm.template.filter((a) => a.name !== name);
  } else if (!old) {
    vm.template = [...vm.template, { name, vector: { ...next.vector } }];
  } else {
    for (const key of UPDATECONF_ATTRS[name] ?? []) {
      const v = next.vector[key];
      if (v === undefined) {
        if (!append) delete old.vector[key];
      } else old.vector[key] = v;
    }
  }
}

function updateContext(vm: Vm, tmpl: Template, append: boolean): string | undefined {
  const next = first(tmpl, 'CONTEXT');
  if (!next) return undefined;
  const old = first(vm.template, 'CONTEXT');
  if (!old) return 'Virtual machine does not have context, cannot add a new one.';
  for (const [k, v] of Object.entries(next.vector)) {
    if (!/^ETH\d+_\w+$/.test(k) || old.vector[k] === v) continue;
    return old.vector[k] === undefined
      ? `Unable to add ${k}, update NIC to update network context`
      : `Unable to update ${k}, update NIC to update network context`;
  }
  const merged = append ? { ...old.vector, ...next.vector } : { ...next.vector };
  for (const k of ['TARGET', 'DISK_ID']) if (old.vector[k] !== undefined) merged[k] = old.vector[k];
  old.vector = merged;
  return undefined;
}

/** VectorAttribute::vector_value(name, int&): istringstream, the whole value. */
function intValue(v: string | undefined): number | undefined {
  return v !== undefined && /^\s*[+-]?\d+$/.test(v) ? Number(v) : undefined;
}

/** VectorAttribute::vector_value(name, bool&): set and non-empty; true only for YES (any case). */
function boolValue(v: string | undefined): boolean | undefined {
  return v === undefined || v === '' ? undefined : v.toUpperCase() === 'YES';
}

/** VirtualMachineDisks::backup_increment: every disk qcow2 (the sandbox has no snapshots). */
function canIncrement(vm: Vm): boolean {
  return getVectors(vm.template, 'DISK').every((d) => (d.vector.FORMAT ?? d.vector.DRIVER ?? 'qcow2') === 'qcow2');
}

function parseBackupConfig(vm: Vm, cfg: Record<string, string>, append: boolean): string | undefined {
  const c = vm.backupConfig;
  const increment = canIncrement(vm);
  const smode = (cfg.MODE ?? '').toUpperCase();
  if (smode && !increment && smode === 'INCREMENT')
    return 'VM cannot use backup increment mode, it has disks snapshots or disks are not qcow2.';
  const keep = intValue(cfg.KEEP_LAST);
  if (keep !== undefined) c.KEEP_LAST = String(Math.max(0, keep));
  else if (!append) delete c.KEEP_LAST;
  const vol = boolValue(cfg.BACKUP_VOLATILE);
  if (vol !== undefined) c.BACKUP_VOLATILE = vol ? 'YES' : 'NO';
  else if (!append) c.BACKUP_VOLATILE = 'NO';
  const freeze = (cfg.FS_FREEZE ?? '').toUpperCase();
  if (freeze) c.FS_FREEZE = ['NONE', 'AGENT', 'SUSPEND'].includes(freeze) ? freeze : 'NONE';
  else if (!append) c.FS_FREEZE = 'NONE';
  if (!increment) {
    Object.assign(c, { INCREMENTAL_BACKUP_ID: '-1', LAST_INCREMENT_ID: '-1', MODE: 'FULL' });
    delete c.INCREMENT_MODE;
  } else if (smode || !append) {
    const mode = smode === 'INCREMENT' ? 'INCREMENT' : 'FULL';
    // Switching to or from FULL drops the chain pointers.
    if (mode !== 'INCREMENT' || c.MODE !== 'INCREMENT')
      Object.assign(c, { INCREMENTAL_BACKUP_ID: '-1', LAST_INCREMENT_ID: '-1' });
    c.MODE = mode;
    const im = (cfg.INCREMENT_MODE ?? '').toUpperCase();
    if (im) c.INCREMENT_MODE = ['CBT', 'SNAPSHOT'].includes(im) ? im : 'CBT';
    else if (!append) c.INCREMENT_MODE = 'CBT';
  }
  return undefined;
}

export function updateConf(vm: Vm, tmpl: Template, append: boolean): string | undefined {
  const allowed = OK_STATES.has(vm.state) || (vm.state === VM_STATE.ACTIVE && OK_LCM.has(vm.lcmState));
  if (!allowed) return `configuration cannot be updated in state ${stateStr(vm.state, vm.lcmState)}`;
  for (const name of Object.keys(UPDATECONF_ATTRS)) replaceVectorValues(vm, tmpl, name, append);
  const ctxErr = updateContext(vm, tmpl, append);
  if (ctxErr) return ctxErr;
  const cfg = tmpl.find((a): a is VectorAttr => a.name === 'BACKUP_CONFIG' && isVector(a));
  return cfg ? parseBackupConfig(vm, cfg.vector, append) : undefined;
}
