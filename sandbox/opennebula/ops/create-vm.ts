// A running (or powered-off) VM on one of the sandbox hosts, with real qcow2 disks. oned would get
// here through onetemplate instantiate and a deployment; the sandbox creates it directly.
import { posix } from 'node:path';
import type { FrontendPaths } from '../paths';
import { readDb, withDb } from '../store/db';
import type { Template } from '../template/template';
import { createDisk, vmDir } from '../vm/disks';
import { now } from '../clock';
import { LCM_STATE, VM_STATE } from './states';
import { addSchedActions, parseSchedAction } from './sched-action';

export type NewVm = {
  name: string;
  uid: number;
  hostId?: number;
  disksMb?: number[];
  poweroff?: boolean;
  backupConfig?: Record<string, string>;
  ip?: string;
};

export async function createVm(paths: FrontendPaths, spec: NewVm): Promise<number> {
  const t = now();
  const db0 = readDb(paths);
  const owner = db0.users.find((u) => u.id === spec.uid);
  if (!owner) throw new Error(`no user ${spec.uid}`);
  const disks = (spec.disksMb ?? [32]).map((sizeMb, id) => ({ id, sizeMb }));
  const id = withDb(paths, (db) => {
    const vmId = db.nextId.vm++;
    const sysDs = db.datastores.find((d) => d.id === 0)!;
    const dir = vmDir(sysDs.basePath, vmId);
    const ip = spec.ip ?? `10.0.0.${10 + vmId}`;
    const template: Template = [
      {
        name: 'CONTEXT',
        vector: { DISK_ID: String(disks.length), ETH0_IP: ip, NETWORK: 'YES', SSH_PUBLIC_KEY: '', TARGET: 'hda' },
      },
      { name: 'CPU', value: '1' },
      ...disks.map((d) => ({
        name: 'DISK',
        vector: {
          CLUSTER_ID: '0',
          DATASTORE: 'system',
          DATASTORE_ID: '0',
          DEV_PREFIX: 'vd',
          DISK_ID: String(d.id),
          DISK_TYPE: 'FILE',
          DRIVER: 'qcow2',
          FORMAT: 'qcow2',
          SIZE: String(d.sizeMb),
          SOURCE: posix.join(dir, `disk.${d.id}`),
          TARGET: `vd${String.fromCharCode(97 + d.id)}`,
          TM_MAD: 'ssh',
          TYPE: 'FILE',
        },
      })),
      { name: 'GRAPHICS', vector: { LISTEN: '0.0.0.0', PORT: String(5900 + vmId), TYPE: 'VNC' } },
      { name: 'MEMORY', value: '256' },
      {
        name: 'NIC',
        vector: {
          AR_ID: '0',
          BRIDGE: 'br0',
          IP: ip,
          MAC: `02:00:0a:00:00:${(10 + vmId).toString(16).padStart(2, '0')}`,
          MODEL: 'virtio',
          NETWORK: 'private',
          NETWORK_ID: '0',
          NIC_ID: '0',
        },
      },
      { name: 'OS', vector: { ARCH: 'x86_64', BOOT: 'disk0' } },
      { name: 'TEMPLATE_ID', value: '0' },
      { name: 'TM_MAD_SYSTEM', value: 'ssh' },
      { name: 'VMID', value: String(vmId) },
    ];
    db.vms.push({
      id: vmId,
      uid: owner.id,
      gid: owner.gid,
      name: spec.name,
      perms: [1, 1, 0, 0, 0, 0, 0, 0, 0],
      state: spec.poweroff ? VM_STATE.POWEROFF : VM_STATE.ACTIVE,
      lcmState: spec.poweroff ? LCM_STATE.LCM_INIT : LCM_STATE.RUNNING,
      prevState: spec.poweroff ? VM_STATE.POWEROFF : VM_STATE.ACTIVE,
      prevLcmState: spec.poweroff ? LCM_STATE.LCM_INIT : LCM_STATE.RUNNING,
      stime: t,
      hostId: spec.hostId ?? vmId % db.hosts.length,
      systemDsId: 0,
      disks,
      template,
      userTemplate: [{ name: 'LOGO', value: 'images/logos/linux.png' }],
      backupConfig: { BACKUP_VOLATILE: 'NO', FS_FREEZE: 'NONE', KEEP_LAST: '', MODE: 'FULL', ...spec.backupConfig },
      backupIds: [],
      guestWrites: 0,
    });
    return vmId;
  });
  const dir = vmDir(readDb(paths).datastores.find((d) => d.id === 0)!.basePath, id);
  for (const d of disks) await createDisk(paths, dir, id, d.id, d.sizeMb);
  return id;
}

/** VM BACKUP_CONFIG, as `onevm updateconf` with a BACKUP_CONFIG section sets it. */
export function setBackupConfig(paths: FrontendPaths, vmId: number, cfg: Record<string, string>): void {
  withDb(paths, (db) => {
    const vm = db.vms.find((v) => v.id === vmId);
    if (vm) Object.assign(vm.backupConfig, cfg);
  });
}

/**
 * A scheduled action of a VM, as a SCHED_ACTION in its template at instantiate (or `onevm
 * sched-add`) leaves it: parsed as ScheduledAction::parse does (TIME "+N" from the VM's STIME).
 */
export function addVmSchedAction(paths: FrontendPaths, vmId: number, va: Record<string, string>): number {
  return withDb(paths, (db) => {
    const vm = db.vms.find((v) => v.id === vmId);
    if (!vm) throw new Error(`no VM ${vmId}`);
    const parsed = parseSchedAction(va, 'VM', vmId, vm.stime);
    if (typeof parsed === 'string') throw new Error(parsed);
    const [id] = addSchedActions(db, [parsed]);
    vm.schedActionIds = [...(vm.schedActionIds ?? []), id!];
    return id!;
  });
}
