// The records the sandbox oned keeps. Field names follow the XML they are printed as.
import type { Template } from '../template/template';

export type Perms = [number, number, number, number, number, number, number, number, number];

export type User = { id: number; name: string; gid: number; password: string; tokens: LoginToken[] };
export type LoginToken = { token: string; expiration: number; egid: number };
export type Group = { id: number; name: string };

export type Owned = { id: number; uid: number; gid: number; name: string; perms: Perms };

export type Datastore = Owned & {
  dsMad: string;
  tmMad: string;
  basePath: string;
  type: number;
  diskType: number;
  state: number;
  clusters: number[];
  totalMb: number;
  freeMb: number;
  usedMb: number;
  template: Template;
};

export type Increment = {
  id: number;
  parentId: number;
  type: 'FULL' | 'INCREMENT';
  source: string;
  size: number;
  date: number;
};

export type Image = Owned & {
  type: number;
  diskType: number;
  persistent: number;
  regtime: number;
  modtime: number;
  source: string;
  path: string;
  format: string;
  fs: string;
  size: number;
  state: number;
  prevState: number;
  datastoreId: number;
  vms: number[];
  template: Template;
  increments: Increment[];
  backupDiskIds: number[] | null;
};

export type VmDisk = { id: number; sizeMb: number; imageId?: number };

export type Vm = Owned & {
  state: number;
  lcmState: number;
  prevState: number;
  prevLcmState: number;
  stime: number;
  hostId: number;
  systemDsId: number;
  disks: VmDisk[];
  template: Template;
  userTemplate: Template;
  backupConfig: Record<string, string>;
  backupIds: number[];
  /** How many times the simulated guest has written to its disks (drives deterministic changes). */
  guestWrites: number;
  /** Set by a backup cancel until the running backup ends (the driver's TERM; never printed). */
  backupCancel?: boolean;
  /** SCHED_ACTIONS: IDs of its scheduled actions (absent in states written before they existed). */
  schedActionIds?: number[];
};

export type BackupJob = Owned & {
  priority: number;
  lastBackupTime: number;
  lastBackupDuration: number;
  updatedVms: number[];
  outdatedVms: number[];
  backingUpVms: number[];
  errorVms: number[];
  template: Template;
  /** Whether a worker serves this job's OUTDATED_VMS now (the scheduler's part; never printed). */
  scheduling?: boolean;
  /** SCHED_ACTIONS: IDs of its scheduled actions (absent in states written before they existed). */
  schedActionIds?: number[];
};

/** A scheduled action (src/sam/ScheduledAction.cc), printed as shared.xsd's SCHED_ACTION. */
export type SchedAction = {
  id: number;
  parentId: number;
  type: 'VM' | 'BACKUPJOB';
  action: string;
  args: string;
  time: number;
  repeat: number;
  days: string;
  endType: number;
  endValue: number;
  done: number;
  message: string;
  warning: number;
};

export type VmTemplate = Owned & { regtime: number; template: Template };

export type Host = { id: number; name: string; clusterId: number; state: number };
export type Cluster = { id: number; name: string };

export type Db = {
  nextId: {
    datastore: number;
    image: number;
    vm: number;
    backupjob: number;
    template: number;
    user: number;
    schedaction?: number;
  };
  users: User[];
  groups: Group[];
  datastores: Datastore[];
  images: Image[];
  vms: Vm[];
  backupjobs: BackupJob[];
  /** The scheduled-action pool (absent in states written before it existed). */
  schedActions?: SchedAction[];
  templates: VmTemplate[];
  hosts: Host[];
  clusters: Cluster[];
};
