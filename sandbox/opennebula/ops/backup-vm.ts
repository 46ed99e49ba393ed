// What oned and its drivers do for one VM backup, run by a background worker: guest activity, the
// driver's backup, then the BACKUP image, the VM's BACKUPS section and KEEP_LAST retention.
import type { FrontendPaths } from '../paths';
import { readDb, withDb } from '../store/db';
import type { Db, Image, Vm } from '../store/types';
import { resticDs } from '../driver/datastore-context';
import { encode64, runBackup } from '../driver/backup';
import { repoId } from '../driver/restic-command';
import { flattenIncrements } from '../driver/flatten';
import { resticTimeArg } from '../driver/snapshots';
import { guestWrite, vmDir } from '../vm/disks';
import { vmXml } from '../xml/vm-xml';
import { now, pinnedNow } from '../clock';
import { IMAGE_STATE, IMAGE_TYPE, LCM_STATE, VM_STATE } from './states';
import { deleteImageData } from './delete-image';
import { refreshDatastore } from './monitor-datastores';
import { setValue, removeAttr } from '../template/template';
import { passHold } from './holds';
import { ctime } from '../ctime';

export type BackupRequest = { vmId: number; dsId: number; reset: boolean; bjId?: number };

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "<VM_ID> <dd-Mon HH.MM.SS>" (LifeCycleStates.cc create_backup_image). */
export function backupImageName(vmId: number, t: number): string {
  const d = new Date(t * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${vmId} ${p(d.getDate())}-${MONTHS[d.getMonth()]} ${p(d.getHours())}.${p(d.getMinutes())}.${p(d.getSeconds())}`;
}

type Plan = { incremental: boolean; continueImage?: Image; incrementId: number; keepLast: number };

function plan(db: Db, vm: Vm, req: BackupRequest): Plan {
  const mode = vm.backupConfig.MODE ?? 'FULL';
  const keepLast = Number(vm.backupConfig.KEEP_LAST ?? 0) || 0;
  const incremental = mode === 'INCREMENT';
  const img = db.images.find(
    (i) => String(i.id) === vm.backupConfig.INCREMENTAL_BACKUP_ID && i.datastoreId === req.dsId,
  );
  if (!incremental || req.reset || !img) return { incremental, incrementId: 0, keepLast };
  const last = img.increments[img.increments.length - 1]?.id ?? -1;
  return { incremental, continueImage: img, incrementId: last + 1, keepLast };
}

export async function backupVm(paths: FrontendPaths, req: BackupRequest): Promise<void> {
  // A test may hold the driver action here; `onevm backup-cancel` or `onebackupjob cancel` then
  // ends the backup as the killed driver would: a failure.
  await passHold(paths, 'backup');
  if (readDb(paths).vms.find((v) => v.id === req.vmId)?.backupCancel) throw new Error('Backup canceled');
  let db = readDb(paths);
  const vm = db.vms.find((v) => v.id === req.vmId)!;
  const ds = db.datastores.find((d) => d.id === req.dsId)!;
  const sysDs = db.datastores.find((d) => d.id === vm.systemDsId)!;
  const host = db.hosts.find((h) => h.id === vm.hostId)!;
  const p = plan(db, vm, req);
  const dir = vmDir(sysDs.basePath, vm.id);
  const seq = vm.guestWrites + 1;
  for (const d of vm.disks) await guestWrite(dir, vm.id, d.id, d.sizeMb, seq);
  withDb(paths, (x) => {
    const v = x.vms.find((y) => y.id === vm.id);
    if (v) v.guestWrites = seq;
  });
  db = readDb(paths);
  const t = now();
  const pinned = pinnedNow();
  const rds = resticDs(paths, ds);
  const repo = repoId(vm.id, req.bjId);
  const result = await runBackup(paths, rds, {
    host: host.name,
    vmId: vm.id,
    vmDir: dir,
    diskIds: vm.disks.map((d) => d.id),
    incrementId: p.incrementId,
    incremental: p.incremental,
    vmXmlBase64: encode64(
      vmXml(
        db,
        db.vms.find((v) => v.id === vm.id)!,
      ),
    ),
    repoId: repo,
    time: pinned === undefined ? undefined : resticTimeArg(pinned),
  });
  const imageId = recordBackup(paths, req, p, result, t);
  await applyRetention(paths, req, imageId, p, repo);
  await refreshDatastore(paths, req.dsId);
}

function recordBackup(
  paths: FrontendPaths,
  req: BackupRequest,
  p: Plan,
  r: { snapshot: string; sizeMb: number; format: string },
  t: number,
): number {
  return withDb(paths, (db) => {
    const vm = db.vms.find((v) => v.id === req.vmId)!;
    const cfg = vm.backupConfig;
    if (req.bjId !== undefined) cfg.BACKUP_JOB_ID = String(req.bjId);
    const existing = p.continueImage && db.images.find((i) => i.id === p.continueImage!.id);
    if (existing) {
      const parent = existing.increments[existing.increments.length - 1]!.id;
      existing.increments.push({
        id: p.incrementId,
        parentId: parent,
        type: 'INCREMENT',
        source: r.snapshot,
        size: r.sizeMb,
        date: t,
      });
      existing.size = existing.increments.reduce((a, i) => a + i.size, 0);
      existing.modtime = t;
      cfg.LAST_INCREMENT_ID = String(p.incrementId);
      return existing.id;
    }
    const id = db.nextId.image++;
    const img: Image = {
      id,
      uid: vm.uid,
      gid: vm.gid,
      name: backupImageName(vm.id, t),
      perms: [1, 1, 0, 0, 0, 0, 0, 0, 0],
      type: IMAGE_TYPE.BACKUP,
      diskType: 0,
      persistent: 1,
      regtime: t,
      modtime: t,
      source: r.snapshot,
      path: '',
      format: r.format,
      fs: '',
      size: r.sizeMb,
      state: IMAGE_STATE.READY,
      prevState: IMAGE_STATE.READY,
      datastoreId: req.dsId,
      vms: [vm.id],
      template: req.bjId === undefined ? [] : [{ name: 'BACKUP_JOB_ID', value: String(req.bjId) }],
      increments: p.incremental
        ? [{ id: 0, parentId: -1, type: 'FULL', source: r.snapshot, size: r.sizeMb, date: t }]
        : [],
      backupDiskIds: vm.disks.map((d) => d.id),
    };
    db.images.push(img);
    vm.backupIds.push(id);
    if (p.incremental) {
      cfg.INCREMENTAL_BACKUP_ID = String(id);
      cfg.LAST_INCREMENT_ID = '0';
    } else {
      delete cfg.INCREMENTAL_BACKUP_ID;
      delete cfg.LAST_INCREMENT_ID;
    }
    return id;
  });
}

async function applyRetention(
  paths: FrontendPaths,
  req: BackupRequest,
  imageId: number,
  p: Plan,
  repo: string,
): Promise<void> {
  if (p.keepLast <= 0) return;
  const db = readDb(paths);
  if (!p.incremental) {
    const vm = db.vms.find((v) => v.id === req.vmId)!;
    const own = vm.backupIds.filter((id) => db.images.some((i) => i.id === id && i.increments.length === 0));
    for (const old of own.slice(0, Math.max(0, own.length - p.keepLast))) await deleteImageData(paths, old);
    return;
  }
  const img = db.images.find((i) => i.id === imageId)!;
  if (img.increments.length <= p.keepLast) return;
  const ds = db.datastores.find((d) => d.id === img.datastoreId)!;
  const f = await flattenIncrements(paths, resticDs(paths, ds), repo, req.vmId, img.increments, p.keepLast);
  withDb(paths, (x) => {
    const i = x.images.find((y) => y.id === imageId)!;
    // BackupIncrements::update_increments: the first kept ID becomes FULL; lower IDs go; no renumbering.
    i.increments = i.increments.filter((inc) => inc.id >= f.keptId);
    const kept = i.increments[0]!;
    Object.assign(kept, { type: 'FULL', parentId: -1, source: f.snapshot, size: f.sizeMb });
    i.size = i.increments.reduce((a, inc) => a + inc.size, 0);
  });
}

/** Fields oned keeps only while a backup runs (Backups::last_backup_clear on success and failure). */
export const TRANSIENT_BACKUP_FIELDS = [
  'LAST_DATASTORE_ID',
  'LAST_BRIDGE',
  'LAST_BACKUP_ID',
  'LAST_BACKUP_SIZE',
  'LAST_BACKUP_FORMAT',
] as const;

/**
 * Back to RUNNING or POWEROFF, the transient LAST_* fields erased, with oned's error message in
 * the user template on failure ("<ctime>: BACKUP: <driver message>").
 */
export function finishBackupIn(db: Db, vmId: number, error?: string, t = now()): void {
  const vm = db.vms.find((v) => v.id === vmId);
  if (!vm) return;
  if (vm.lcmState === LCM_STATE.BACKUP_POWEROFF) {
    vm.state = VM_STATE.POWEROFF;
    vm.lcmState = LCM_STATE.LCM_INIT;
  } else {
    vm.state = VM_STATE.ACTIVE;
    vm.lcmState = LCM_STATE.RUNNING;
  }
  for (const k of TRANSIENT_BACKUP_FIELDS) delete vm.backupConfig[k];
  delete vm.backupCancel;
  vm.userTemplate = error
    ? setValue(vm.userTemplate, 'ERROR', `${ctime(t)}: BACKUP: ${error}`)
    : removeAttr(vm.userTemplate, 'ERROR');
}

export function finishBackup(paths: FrontendPaths, vmId: number, error?: string): void {
  withDb(paths, (db) => finishBackupIn(db, vmId, error));
}
