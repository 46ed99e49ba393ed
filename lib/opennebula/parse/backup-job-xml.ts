import 'server-only';
import { z } from 'zod';
import type { BackupJob } from '../models';
import { reshapeSchedActions } from './sched-action-xml';
import {
  intAttr,
  opt,
  owner,
  parseXmlRoot,
  xContainer,
  validateXml,
  xIds,
  xInt,
  xList,
  xOwner,
  xTemplate,
  xText,
  yesNo,
} from '../xml';

// BACKUPJOB (share/doc/xsd/backupjob.xsd, OpenNebula 6.8+). Its TEMPLATE holds the job settings
// as text (BACKUP_VMS is a comma-separated list of VM IDs).

export const OneBackupJobXmlSchema = z.object({
  ID: xInt,
  ...xOwner,
  NAME: xText,
  PRIORITY: xInt.optional(),
  LAST_BACKUP_TIME: xInt.optional(),
  LAST_BACKUP_DURATION: xInt.optional(),
  SCHED_ACTIONS: xIds,
  UPDATED_VMS: xIds,
  OUTDATED_VMS: xIds,
  BACKING_UP_VMS: xIds,
  ERROR_VMS: xIds,
  TEMPLATE: xTemplate,
});
export type OneBackupJobXml = z.output<typeof OneBackupJobXmlSchema>;

const PoolSchema = xContainer({ BACKUPJOB: xList(OneBackupJobXmlSchema) });

function idList(text: string | undefined): number[] {
  return (text ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => /^\d+$/.test(s))
    .map(Number);
}

export function reshapeBackupJob(raw: OneBackupJobXml): BackupJob {
  const t = raw.TEMPLATE.attributes;
  return {
    id: raw.ID,
    name: raw.NAME,
    ...owner(raw),
    priority: raw.PRIORITY ?? 0,
    lastBackupTime: raw.LAST_BACKUP_TIME ?? 0,
    lastBackupDuration: raw.LAST_BACKUP_DURATION ?? 0,
    updatedVms: raw.UPDATED_VMS,
    outdatedVms: raw.OUTDATED_VMS,
    backingUpVms: raw.BACKING_UP_VMS,
    errorVms: raw.ERROR_VMS,
    vmIds: idList(t.BACKUP_VMS),
    ...opt('keepLast', intAttr(t, 'KEEP_LAST')),
    ...opt('mode', t.MODE || undefined),
    ...opt('backupVolatile', yesNo(t.BACKUP_VOLATILE)),
    ...opt('datastoreId', intAttr(t, 'DATASTORE_ID')),
    ...opt('fsFreeze', t.FS_FREEZE || undefined),
    ...opt('execution', t.EXECUTION || undefined),
    ...opt('error', t.ERROR || undefined),
    schedActionIds: raw.SCHED_ACTIONS,
    schedActions: reshapeSchedActions(raw.TEMPLATE.vectors.SCHED_ACTION),
    template: t,
    templateVectors: raw.TEMPLATE.vectors,
  };
}

/** `onebackupjob show -x` output. */
export async function parseBackupJob(text: string): Promise<BackupJob> {
  return reshapeBackupJob(validateXml(OneBackupJobXmlSchema, await parseXmlRoot(text, 'BACKUPJOB'), 'BACKUPJOB'));
}

/** `onebackupjob list -x` output. */
export async function parseBackupJobPool(text: string): Promise<BackupJob[]> {
  const pool = validateXml(PoolSchema, await parseXmlRoot(text, 'BACKUPJOB_POOL'), 'BACKUPJOB_POOL');
  return pool.BACKUPJOB.map(reshapeBackupJob);
}
