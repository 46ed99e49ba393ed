// Thousands of VMs in a front-end's state at once, for tests of pages that list every VM. They are
// written the way the simulator stores VMs (one.db.json, under its lock), without disks on a host:
// nothing backs them up, restores or monitors them; `onevm list/show` print them like any other.
// Their protection is spread deterministically: most never backed up, some with a failed backup
// (USER_TEMPLATE/ERROR as oned writes it), some backing up (LCM BACKUP), some powered off.
import { frontendPaths } from '../opennebula/paths';
import { withDb } from '../opennebula/store/db';
import { LCM_STATE, VM_STATE } from '../opennebula/ops/states';
import type { Vm } from '../opennebula/store/types';

export type ManyVmsOptions = {
  count: number;
  /** Owners, in turn (user IDs of the sandbox: 0 oneadmin, 2 alice, 3 bob). */
  ownerIds?: number[];
  /** Name prefix; names are a permutation of the IDs, so name order differs from ID order. */
  prefix?: string;
  /** STIME of every VM, epoch seconds. */
  stime?: number;
};

/** What each bulk VM is, by its index: for tests that check what the page shows. */
export function bulkKind(i: number): 'failed' | 'backing-up' | 'poweroff' | 'never' {
  if (i % 50 === 7) return 'backing-up';
  if (i % 10 === 3) return 'failed';
  if (i % 4 === 1) return 'poweroff';
  return 'never';
}

/** Adds `count` VMs; returns their IDs in creation order. */
export function addManyVms(stateDir: string, opts: ManyVmsOptions): number[] {
  const owners = opts.ownerIds ?? [0, 2, 3];
  const prefix = opts.prefix ?? 'bulk';
  const stime = opts.stime ?? Math.floor(Date.now() / 1000);
  const width = String(opts.count).length;
  return withDb(frontendPaths(stateDir), (db) => {
    const ids: number[] = [];
    for (let i = 0; i < opts.count; i++) {
      const id = db.nextId.vm++;
      const owner = db.users.find((u) => u.id === owners[i % owners.length])!;
      const kind = bulkKind(i);
      const state = kind === 'poweroff' ? VM_STATE.POWEROFF : VM_STATE.ACTIVE;
      const lcm =
        kind === 'poweroff' ? LCM_STATE.LCM_INIT : kind === 'backing-up' ? LCM_STATE.BACKUP : LCM_STATE.RUNNING;
      // 7919 is prime: i -> i*7919 mod count is a permutation when count is not a multiple of it.
      const nameIndex = (i * 7919) % opts.count;
      const vm: Vm = {
        id,
        uid: owner.id,
        gid: owner.gid,
        name: `${prefix}-${String(nameIndex).padStart(width, '0')}`,
        perms: [1, 1, 0, 0, 0, 0, 0, 0, 0],
        state,
        lcmState: lcm,
        prevState: state,
        prevLcmState: kind === 'backing-up' ? LCM_STATE.RUNNING : lcm,
        stime,
        hostId: id % db.hosts.length,
        systemDsId: 0,
        disks: [{ id: 0, sizeMb: 8 }],
        template: [
          { name: 'CPU', value: '1' },
          { name: 'MEMORY', value: '256' },
          { name: 'TEMPLATE_ID', value: '0' },
          { name: 'TM_MAD_SYSTEM', value: 'ssh' },
          { name: 'VMID', value: String(id) },
        ],
        userTemplate:
          kind === 'failed'
            ? [{ name: 'ERROR', value: 'Thu Oct  1 08:00:00 2026: BACKUP: ERROR: backup: restic failed (bulk)' }]
            : [],
        backupConfig: { BACKUP_VOLATILE: 'NO', FS_FREEZE: 'NONE', KEEP_LAST: String(1 + (i % 5)), MODE: 'FULL' },
        backupIds: [],
        guestWrites: 0,
      };
      db.vms.push(vm);
      ids.push(id);
    }
    return ids;
  });
}

/** Removes VMs added by addManyVms (the rest of the cloud is left as it was). */
export function removeManyVms(stateDir: string, ids: readonly number[]): void {
  const gone = new Set(ids);
  withDb(frontendPaths(stateDir), (db) => {
    db.vms = db.vms.filter((v) => !gone.has(v.id));
  });
}
