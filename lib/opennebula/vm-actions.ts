import 'server-only';
import { serializeTemplate } from '@/lib/schemas/template-syntax';
import { BACKUP_MODES, FS_FREEZE_MODES, INCREMENT_MODES } from '@/lib/schemas/vm-actions';
import { checkId, runOne, type OneCallOptions, type OneCredential } from './cli';

// The VM write verbs of Back up now, in-place restore and the backup configuration. Each returns
// as soon as oned has accepted the request (the CLI does not wait for the driver): the VM is then
// in BACKUP / BACKUP_POWEROFF or RESTORE, and callers follow its state with getVm. oned's refusals
// ("wrong state RUNNING", "it must be in poweroff") arrive as typed errors (errors.ts) in its words.

/** `onevm backup <vm> -d <ds> [--reset]`: `reset` starts a new incremental chain. */
export async function backupVm(
  cred: OneCredential,
  vmId: number,
  datastoreId: number,
  options: { reset?: boolean } = {},
  opts?: OneCallOptions,
): Promise<void> {
  const args = ['backup', checkId(vmId, 'VM ID'), '-d', checkId(datastoreId, 'datastore ID')];
  if (options.reset) args.push('--reset');
  await runOne(cred, { program: 'onevm', args }, opts);
}

/** `onevm backup-cancel <vm>`: the running backup fails and the VM returns to RUNNING or POWEROFF. */
export async function cancelVmBackup(cred: OneCredential, vmId: number, opts?: OneCallOptions): Promise<void> {
  await runOne(cred, { program: 'onevm', args: ['backup-cancel', checkId(vmId, 'VM ID')] }, opts);
}

/** `onevm poweroff <vm>` (an ACPI shutdown; the VM ends in POWEROFF). */
export async function powerOffVm(cred: OneCredential, vmId: number, opts?: OneCallOptions): Promise<void> {
  await runOne(cred, { program: 'onevm', args: ['poweroff', checkId(vmId, 'VM ID')] }, opts);
}

/** `onevm resume <vm>`: a POWEROFF (or SUSPENDED) VM runs again. */
export async function resumeVm(cred: OneCredential, vmId: number, opts?: OneCallOptions): Promise<void> {
  await runOne(cred, { program: 'onevm', args: ['resume', checkId(vmId, 'VM ID')] }, opts);
}

export type RestoreInPlaceOptions = {
  /** Restore up to this increment; oned's default is the last one. */
  incrementId?: number;
  /** Replace only this disk; oned's default is every disk in the backup. */
  diskId?: number;
};

/**
 * `onevm restore <vm> <image> [--increment ID] [--disk-id ID]`: replaces the VM's disks with the
 * backup's, in place. oned requires POWEROFF and deletes the VM's snapshots when it succeeds.
 */
export async function restoreVmInPlace(
  cred: OneCredential,
  vmId: number,
  imageId: number,
  options: RestoreInPlaceOptions = {},
  opts?: OneCallOptions,
): Promise<void> {
  const args = ['restore', checkId(vmId, 'VM ID'), checkId(imageId, 'image ID')];
  if (options.incrementId !== undefined) args.push('--increment', checkId(options.incrementId, 'increment ID'));
  if (options.diskId !== undefined) args.push('--disk-id', checkId(options.diskId, 'disk ID'));
  await runOne(cred, { program: 'onevm', args }, opts);
}

/** The BACKUP_CONFIG fields a person edits (the others are oned's own or 7.4's DISK_IDS). */
export type BackupConfigUpdate = {
  mode: (typeof BACKUP_MODES)[number];
  /** Only read by oned beside MODE=INCREMENT; CBT when unset. */
  incrementMode?: (typeof INCREMENT_MODES)[number];
  /** Backups (FULL) or increments to keep; 0 keeps all. */
  keepLast: number;
  fsFreeze: (typeof FS_FREEZE_MODES)[number];
  backupVolatile: boolean;
};

/**
 * The template `onevm updateconf -a` receives: the complete set of fields a person edits, always
 * MODE beside INCREMENT_MODE (oned parses INCREMENT_MODE only with MODE in the same request), and
 * KEEP_LAST="0" rather than nothing for "keep all" (append mode keeps a field left out).
 */
export function backupConfigTemplate(config: BackupConfigUpdate): string {
  if (!BACKUP_MODES.includes(config.mode)) throw new RangeError(`MODE must be FULL or INCREMENT, got ${config.mode}`);
  if (config.incrementMode !== undefined && !INCREMENT_MODES.includes(config.incrementMode))
    throw new RangeError(`INCREMENT_MODE must be CBT or SNAPSHOT, got ${config.incrementMode}`);
  if (!FS_FREEZE_MODES.includes(config.fsFreeze))
    throw new RangeError(`FS_FREEZE must be NONE, AGENT or SUSPEND, got ${config.fsFreeze}`);
  const vector = [
    { name: 'MODE', value: config.mode },
    { name: 'INCREMENT_MODE', value: config.incrementMode ?? 'CBT' },
    { name: 'KEEP_LAST', value: checkId(config.keepLast, 'KEEP_LAST') },
    { name: 'FS_FREEZE', value: config.fsFreeze },
    { name: 'BACKUP_VOLATILE', value: config.backupVolatile ? 'YES' : 'NO' },
  ];
  return serializeTemplate([{ name: 'BACKUP_CONFIG', vector }]);
}

/**
 * `onevm updateconf <vm> FILE -a` with BACKUP_CONFIG only. Append mode: oned (and without -a it
 * would) resets every section and field the file does not hold, OS, GRAPHICS and CONTEXT
 * included; with -a the VM's other sections and its DISK_IDS stay as they are.
 */
export async function updateVmBackupConfig(
  cred: OneCredential,
  vmId: number,
  config: BackupConfigUpdate,
  opts?: OneCallOptions,
): Promise<void> {
  const id = checkId(vmId, 'VM ID');
  const text = backupConfigTemplate(config);
  await runOne(
    cred,
    {
      program: 'onevm',
      args: (paths) => ['updateconf', id, paths['backup-config.tpl']!, '-a'],
      files: [{ name: 'backup-config.tpl', content: text }],
    },
    opts,
  );
}
