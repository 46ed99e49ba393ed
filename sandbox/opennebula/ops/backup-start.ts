// What oned checks and records when a backup starts (VirtualMachineAPI::backup, then
// DispatchManager::backup), shared by `onevm backup` and the Backup Job scheduler.
import type { Db, Vm } from '../store/types';
import { DS_TYPE, LCM_STATE, VM_STATE, stateStr } from './states';

/** Where the backup goes: the chain's datastore for an open INCREMENT chain (the argument is ignored). */
export function backupDatastore(
  db: Db,
  vm: Vm,
  dsId: number,
  reset: boolean,
): { dsId: number } | { missingImage: number } {
  const cfg = vm.backupConfig;
  const lastInc = Number(cfg.LAST_INCREMENT_ID ?? -1);
  if (cfg.MODE === 'INCREMENT' && !reset && lastInc !== -1) {
    const imgId = Number(cfg.INCREMENTAL_BACKUP_ID ?? -1);
    const img = db.images.find((i) => i.id === imgId);
    return img ? { dsId: img.datastoreId } : { missingImage: imgId };
  }
  return { dsId };
}

/** The datastore check's message, if any (`Error getting datastore [<id>].` is the caller's). */
export function datastoreProblem(db: Db, dsId: number): 'missing' | string | undefined {
  const ds = db.datastores.find((d) => d.id === dsId);
  if (!ds) return 'missing';
  if (ds.type !== DS_TYPE.BACKUP_DS) return 'Datastore needs to be of type BACKUP';
  return undefined;
}

/** DispatchManager::backup's state check. */
export function stateProblem(vm: Vm): string | undefined {
  if (vm.backupConfig.ACTIVE_FLATTEN === 'YES')
    return `Could not create a new backup for VM ${vm.id}, consolidating backup increments`;
  const ok = (vm.state === VM_STATE.ACTIVE && vm.lcmState === LCM_STATE.RUNNING) || vm.state === VM_STATE.POWEROFF;
  if (!ok) return `Could not create a new backup for VM ${vm.id}, wrong state ${stateStr(vm.state, vm.lcmState)}.`;
  return undefined;
}

/**
 * Puts a VM into BACKUP (or BACKUP_POWEROFF) as oned does when it accepts the action: it records
 * LAST_DATASTORE_ID (erased again when the backup ends) and, on --reset, drops the chain pointers.
 */
export function enterBackup(db: Db, vmId: number, dsId: number, reset = false): void {
  const vm = db.vms.find((v) => v.id === vmId)!;
  vm.prevState = vm.state;
  vm.prevLcmState = vm.lcmState;
  if (vm.state === VM_STATE.POWEROFF) {
    vm.state = VM_STATE.ACTIVE;
    vm.lcmState = LCM_STATE.BACKUP_POWEROFF;
  } else {
    vm.lcmState = LCM_STATE.BACKUP;
  }
  vm.backupConfig.LAST_DATASTORE_ID = String(dsId);
  delete vm.backupCancel;
  if (reset && vm.backupConfig.MODE === 'INCREMENT') {
    vm.backupConfig.LAST_INCREMENT_ID = '-1';
    vm.backupConfig.INCREMENTAL_BACKUP_ID = '-1';
  }
}
