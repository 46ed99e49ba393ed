// VM and image states (include/VirtualMachine.h, include/Image.h).
export const VM_STATE = { ACTIVE: 3, POWEROFF: 8 } as const;
export const LCM_STATE = { LCM_INIT: 0, RUNNING: 3, BACKUP: 69, BACKUP_POWEROFF: 70 } as const;
export const IMAGE_STATE = { READY: 1, LOCKED: 4, ERROR: 5, DELETE: 7 } as const;
export const IMAGE_TYPE = { OS: 0, DATABLOCK: 2, BACKUP: 6 } as const;
export const DS_TYPE = { IMAGE_DS: 0, SYSTEM_DS: 1, FILE_DS: 2, BACKUP_DS: 3 } as const;

export function inBackup(lcm: number): boolean {
  return lcm === LCM_STATE.BACKUP || lcm === LCM_STATE.BACKUP_POWEROFF;
}
