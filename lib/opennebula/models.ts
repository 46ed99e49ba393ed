// Domain models of the OpenNebula objects Backstone reads, and the names of their numeric enums.
// Pure (types and constant tables only), so a client component may import the state names.
// Numbers come from include/Datastore.h, Image.h, VirtualMachine.h and Host.h in OpenNebula/one.

/** Single attributes of a template (first value wins when oned repeats a name). */
export type TemplateAttributes = Record<string, string>;
/** Vector attributes of a template (NAME = [ A = "x", ... ]), every occurrence kept in order. */
export type TemplateVectors = Record<string, Record<string, string>[]>;

export const DATASTORE_TYPES = ['IMAGE_DS', 'SYSTEM_DS', 'FILE_DS', 'BACKUP_DS'] as const;
export const DATASTORE_STATES = ['READY', 'DISABLED'] as const;

export const IMAGE_TYPES = [
  'OS',
  'CDROM',
  'DATABLOCK',
  'KERNEL',
  'RAMDISK',
  'CONTEXT',
  'BACKUP',
  'FILESYSTEM',
] as const;
export const IMAGE_STATES = [
  'INIT',
  'READY',
  'USED',
  'DISABLED',
  'LOCKED',
  'ERROR',
  'CLONE',
  'DELETE',
  'USED_PERS',
  'LOCKED_USED',
  'LOCKED_USED_PERS',
] as const;

export const VM_STATES = [
  'INIT',
  'PENDING',
  'HOLD',
  'ACTIVE',
  'STOPPED',
  'SUSPENDED',
  'DONE',
  'FAILED',
  'POWEROFF',
  'UNDEPLOYED',
  'CLONING',
  'CLONING_FAILURE',
] as const;

// Index = LCM_STATE number. 13 (CANCEL), 14 (FAILURE) and 58 (DISK_SNAPSHOT_REVERT) are retired.
export const VM_LCM_STATES = [
  'LCM_INIT',
  'PROLOG',
  'BOOT',
  'RUNNING',
  'MIGRATE',
  'SAVE_STOP',
  'SAVE_SUSPEND',
  'SAVE_MIGRATE',
  'PROLOG_MIGRATE',
  'PROLOG_RESUME',
  'EPILOG_STOP',
  'EPILOG',
  'SHUTDOWN',
  'CANCEL',
  'FAILURE',
  'CLEANUP_RESUBMIT',
  'UNKNOWN',
  'HOTPLUG',
  'SHUTDOWN_POWEROFF',
  'BOOT_UNKNOWN',
  'BOOT_POWEROFF',
  'BOOT_SUSPENDED',
  'BOOT_STOPPED',
  'CLEANUP_DELETE',
  'HOTPLUG_SNAPSHOT',
  'HOTPLUG_NIC',
  'HOTPLUG_SAVEAS',
  'HOTPLUG_SAVEAS_POWEROFF',
  'HOTPLUG_SAVEAS_SUSPENDED',
  'SHUTDOWN_UNDEPLOY',
  'EPILOG_UNDEPLOY',
  'PROLOG_UNDEPLOY',
  'BOOT_UNDEPLOY',
  'HOTPLUG_PROLOG_POWEROFF',
  'HOTPLUG_EPILOG_POWEROFF',
  'BOOT_MIGRATE',
  'BOOT_FAILURE',
  'BOOT_MIGRATE_FAILURE',
  'PROLOG_MIGRATE_FAILURE',
  'PROLOG_FAILURE',
  'EPILOG_FAILURE',
  'EPILOG_STOP_FAILURE',
  'EPILOG_UNDEPLOY_FAILURE',
  'PROLOG_MIGRATE_POWEROFF',
  'PROLOG_MIGRATE_POWEROFF_FAILURE',
  'PROLOG_MIGRATE_SUSPEND',
  'PROLOG_MIGRATE_SUSPEND_FAILURE',
  'BOOT_UNDEPLOY_FAILURE',
  'BOOT_STOPPED_FAILURE',
  'PROLOG_RESUME_FAILURE',
  'PROLOG_UNDEPLOY_FAILURE',
  'DISK_SNAPSHOT_POWEROFF',
  'DISK_SNAPSHOT_REVERT_POWEROFF',
  'DISK_SNAPSHOT_DELETE_POWEROFF',
  'DISK_SNAPSHOT_SUSPENDED',
  'DISK_SNAPSHOT_REVERT_SUSPENDED',
  'DISK_SNAPSHOT_DELETE_SUSPENDED',
  'DISK_SNAPSHOT',
  'DISK_SNAPSHOT_REVERT',
  'DISK_SNAPSHOT_DELETE',
  'PROLOG_MIGRATE_UNKNOWN',
  'PROLOG_MIGRATE_UNKNOWN_FAILURE',
  'DISK_RESIZE',
  'DISK_RESIZE_POWEROFF',
  'DISK_RESIZE_UNDEPLOYED',
  'HOTPLUG_NIC_POWEROFF',
  'HOTPLUG_RESIZE',
  'HOTPLUG_SAVEAS_UNDEPLOYED',
  'HOTPLUG_SAVEAS_STOPPED',
  'BACKUP',
  'BACKUP_POWEROFF',
  'RESTORE',
] as const;
export const LCM_STATE_BACKUP = 69;
export const LCM_STATE_BACKUP_POWEROFF = 70;

export const HOST_STATES = [
  'INIT',
  'MONITORING_MONITORED',
  'MONITORED',
  'ERROR',
  'DISABLED',
  'MONITORING_ERROR',
  'MONITORING_INIT',
  'MONITORING_DISABLED',
  'OFFLINE',
] as const;

/** The name of a numeric state, or `UNKNOWN_<n>` for a number this Backstone does not know yet. */
export function enumName<T extends string>(names: readonly T[], n: number): T | `UNKNOWN_${number}` {
  return names[n] ?? `UNKNOWN_${n}`;
}

/** A VM template, as far as Backstone shows it. */
export type VmTemplate = { id: number; name: string };

export type Owner = { uid: number; uname: string; gid: number; gname: string };

export type Datastore = Owner & {
  id: number;
  name: string;
  type: (typeof DATASTORE_TYPES)[number] | `UNKNOWN_${number}`;
  dsMad: string;
  tmMad: string;
  basePath: string;
  state: (typeof DATASTORE_STATES)[number] | `UNKNOWN_${number}`;
  clusterIds: number[];
  totalMb: number;
  freeMb: number;
  usedMb: number;
  imageIds: number[];
  /** Template attributes, without the encrypted ones (see secretAttributeNames). */
  template: TemplateAttributes;
  templateVectors: TemplateVectors;
  /** Encrypted attributes present in the template (RESTIC_PASSWORD, ...); their values are never here. */
  secretAttributeNames: string[];
};

/** A datastore read with `--decrypt`: its clear secrets, kept apart so they are not sent anywhere by accident. */
export type DecryptedDatastore = Datastore & {
  /** The encrypted attributes in clear, exactly as oned stores them. */
  secrets: Record<string, string>;
  /** RESTIC_PASSWORD as the driver uses it (one pair of surrounding quotes removed). */
  resticPassword?: string;
};

export type BackupIncrement = {
  id: number;
  /** null for the first (FULL) increment of the chain. */
  parentId: number | null;
  type: 'FULL' | 'INCREMENT';
  /** restic short snapshot ID. */
  source: string;
  sizeMb: number;
  /** Epoch seconds. */
  date: number;
};

export type Image = Owner & {
  id: number;
  name: string;
  type: (typeof IMAGE_TYPES)[number] | `UNKNOWN_${number}`;
  state: (typeof IMAGE_STATES)[number] | `UNKNOWN_${number}`;
  persistent: boolean;
  /** Epoch seconds. */
  regtime: number;
  /** Epoch seconds; absent on OpenNebula 6.10. */
  modtime?: number;
  source: string;
  path: string;
  format: string;
  sizeMb: number;
  datastoreId: number;
  datastoreName: string;
  vmIds: number[];
  runningVms: number;
  /** TEMPLATE/BACKUP_JOB_ID: set when a Backup Job made this backup (its repository is job_<id>). */
  backupJobId?: number;
  /** BACKUP_INCREMENTS, in the order oned lists them; empty for FULL-mode backups. */
  increments: BackupIncrement[];
  /** BACKUP_DISK_IDS; undefined on OpenNebula 6.10, which does not record them. */
  backupDiskIds?: number[];
  template: TemplateAttributes;
  templateVectors: TemplateVectors;
};

export type VmDisk = {
  diskId: number;
  imageId?: number;
  image?: string;
  datastoreId?: number;
  sizeMb?: number;
  type?: string;
  target?: string;
  attributes: Record<string, string>;
};

export type VmNic = {
  nicId: number;
  network?: string;
  networkId?: number;
  ip?: string;
  mac?: string;
  attributes: Record<string, string>;
};

export type VmBackupConfig = {
  mode?: string;
  keepLast?: number;
  backupJobId?: number;
  backupVolatile?: boolean;
  fsFreeze?: string;
  incrementMode?: string;
  diskIds?: number[];
  incrementalBackupId?: number;
  lastIncrementId?: number;
  lastDatastoreId?: number;
  lastBackupId?: string;
  lastBackupSize?: number;
  lastBridge?: string;
};

/**
 * A scheduled action (shared.xsd SCHED_ACTION; src/sam/ScheduledAction.cc). TIME and DONE are epoch
 * seconds; REPEAT -1 one-shot, 0 weekly, 1 monthly, 2 yearly, 3 hourly (DAYS then holds the hours);
 * END_TYPE -1 none, 0 never, 1 after END_VALUE more runs, 2 until the epoch END_VALUE.
 */
export type SchedAction = {
  id: number;
  action: string;
  args: string;
  time: number;
  repeat: number;
  days: number[];
  endType: number;
  endValue: number;
  done: number;
  /** The last launch error (`<ctime> : <error>`), empty when the last launch was accepted. */
  message: string;
};

export type Vm = Owner & {
  id: number;
  name: string;
  state: (typeof VM_STATES)[number] | `UNKNOWN_${number}`;
  lcmState: (typeof VM_LCM_STATES)[number] | `UNKNOWN_${number}`;
  /** True while a backup runs (LCM BACKUP or BACKUP_POWEROFF): oned then refuses to delete its backups. */
  backingUp: boolean;
  /** Epoch seconds. */
  stime: number;
  etime: number;
  /** TEMPLATE/CPU, VCPU and MEMORY (MiB), when set. */
  cpu?: string;
  vcpu?: string;
  memoryMb?: number;
  disks: VmDisk[];
  nics: VmNic[];
  backups: { config: VmBackupConfig; backupIds: number[] };
  /** SCHED_ACTIONS/ID: the IDs of its scheduled actions. */
  schedActionIds: number[];
  /** TEMPLATE/SCHED_ACTION: full in `onevm show`; a pool listing may carry only the IDs. */
  schedActions: SchedAction[];
  /** USER_TEMPLATE/ERROR (`<ctime>: BACKUP: <driver message>` after a failed backup), when set. */
  error?: string;
};

export type BackupJob = Owner & {
  id: number;
  name: string;
  priority: number;
  lastBackupTime: number;
  lastBackupDuration: number;
  updatedVms: number[];
  outdatedVms: number[];
  backingUpVms: number[];
  errorVms: number[];
  /** BACKUP_VMS as a list of VM IDs. */
  vmIds: number[];
  keepLast?: number;
  mode?: string;
  backupVolatile?: boolean;
  datastoreId?: number;
  fsFreeze?: string;
  execution?: string;
  error?: string;
  /** SCHED_ACTIONS/ID: the IDs of its scheduled actions (a pool listing carries only these). */
  schedActionIds: number[];
  /** TEMPLATE/SCHED_ACTION: full in `onebackupjob show` only. */
  schedActions: SchedAction[];
  template: TemplateAttributes;
  templateVectors: TemplateVectors;
};

export type Cluster = {
  id: number;
  name: string;
  hostIds: number[];
  datastoreIds: number[];
  vnetIds: number[];
  template: TemplateAttributes;
};

export type Host = {
  id: number;
  name: string;
  state: (typeof HOST_STATES)[number] | `UNKNOWN_${number}`;
  imMad: string;
  vmMad: string;
  clusterId: number;
  clusterName: string;
  vmIds: number[];
  template: TemplateAttributes;
};

export type User = {
  id: number;
  name: string;
  gid: number;
  gname: string;
  groupIds: number[];
  authDriver: string;
  enabled: boolean;
  /** Member of group 0 (oneadmin), primary or secondary. */
  isAdmin: boolean;
};

export type RestoreResult = { templateId?: number; imageIds: number[] };

export type LoginToken = { username: string; token: string; expiresInSeconds: number };

/** Raft states (include/RaftManager.h): SOLO is a front-end without HA (SERVER_ID -1). */
export const RAFT_STATES = ['SOLO', 'CANDIDATE', 'FOLLOWER', 'LEADER'] as const;

/**
 * A front-end of an HA zone (SERVER_POOL/SERVER). `state` is what the CLI read from that server's
 * `one.zone.raftstatus`: undefined when it printed `-` (the server did not answer within 5 s) or a
 * value outside RAFT_STATES.
 */
export type ZoneServer = {
  id: number;
  name: string;
  endpoint: string;
  state?: (typeof RAFT_STATES)[number];
  term?: number;
};

/** `onezone show -x`: a zone and its front-ends (none: a single front-end without HA). */
export type Zone = { id: number; name: string; endpoint: string; servers: ZoneServer[] };
