// VM and image states (include/VirtualMachine.h, include/Image.h).
export const VM_STATE = { ACTIVE: 3, POWEROFF: 8 } as const;
export const LCM_STATE = { LCM_INIT: 0, RUNNING: 3, BACKUP: 69, BACKUP_POWEROFF: 70, RESTORE: 71 } as const;
export const IMAGE_STATE = { READY: 1, LOCKED: 4, ERROR: 5, DELETE: 7 } as const;
export const IMAGE_TYPE = { OS: 0, DATABLOCK: 2, BACKUP: 6 } as const;
export const DS_TYPE = { IMAGE_DS: 0, SYSTEM_DS: 1, FILE_DS: 2, BACKUP_DS: 3 } as const;

export function inBackup(lcm: number): boolean {
  return lcm === LCM_STATE.BACKUP || lcm === LCM_STATE.BACKUP_POWEROFF;
}

const VM_STATE_NAMES: Record<number, string> = {
  0: 'INIT',
  1: 'PENDING',
  2: 'HOLD',
  3: 'ACTIVE',
  4: 'STOPPED',
  5: 'SUSPENDED',
  6: 'DONE',
  8: 'POWEROFF',
  9: 'UNDEPLOYED',
  10: 'CLONING',
  11: 'CLONING_FAILURE',
};
const LCM_NAMES: Record<number, string> = {
  0: 'LCM_INIT',
  3: 'RUNNING',
  16: 'UNKNOWN',
  17: 'HOTPLUG',
  69: 'BACKUP',
  70: 'BACKUP_POWEROFF',
  71: 'RESTORE',
};

/** VirtualMachine::state_str: the LCM state's name for ACTIVE VMs, else the VM state's. */
export function stateStr(state: number, lcm: number): string {
  return state === VM_STATE.ACTIVE ? (LCM_NAMES[lcm] ?? String(lcm)) : (VM_STATE_NAMES[state] ?? String(state));
}
