// `onevm restore` in place, the TM restore's part (run by a worker while the VM is in RESTORE):
// for each disk of the backup (or only --disk-id), the restic downloader flattens the chain up to
// the chosen increment on the backup server and streams it over `<vm_dir>/disk.N`; then oned's
// trigger_disk_restore_success (POWEROFF, chain pointers reset) or _failure (POWEROFF, ERROR).
import { renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { FrontendPaths } from '../paths';
import { readDb, withDb } from '../store/db';
import { resticDs } from '../driver/datastore-context';
import { downloadDisk, readRestoreInfo } from '../driver/restore';
import { imageChain, imageRepoId } from './image-repo';
import { own, vmDir } from '../vm/disks';
import { passHold } from './holds';
import { LCM_STATE, VM_STATE } from './states';
import { setValue } from '../template/template';
import { ctime } from '../ctime';
import { now } from '../clock';

/** -1 = the last increment / every disk, as the CLI sends omitted options. */
export type VmRestoreRequest = { vmId: number; imageId: number; incrementId: number; diskId: number };

export async function restoreVmDisks(paths: FrontendPaths, req: VmRestoreRequest): Promise<void> {
  let error: string | undefined;
  try {
    await passHold(paths, 'restore-vm');
    const db = readDb(paths);
    const vm = db.vms.find((v) => v.id === req.vmId);
    const img = db.images.find((i) => i.id === req.imageId);
    if (!vm || !img) throw new Error(`VM ${req.vmId} or image ${req.imageId} is gone`);
    const ds = db.datastores.find((d) => d.id === img.datastoreId)!;
    const all = imageChain(img).map((i) => ({ id: i.id, snap: i.source }));
    const chain = req.incrementId === -1 ? all : all.filter((c) => c.id <= req.incrementId);
    const top = chain[chain.length - 1];
    if (!top) throw new Error(`increment ${req.incrementId} not found`);
    const rds = resticDs(paths, ds);
    const repo = imageRepoId(img);
    const info = await readRestoreInfo(paths, rds, repo, top.snap);
    const disks = req.diskId === -1 ? info.diskIds : info.diskIds.filter((d) => d === req.diskId);
    if (!disks.length) throw new Error(`disk ${req.diskId} not found`);
    const dir = vmDir(db.datastores.find((d) => d.id === vm.systemDsId)!.basePath, vm.id);
    for (const diskId of disks) {
      const disk = join(dir, `disk.${diskId}`);
      const staged = `${disk}.backup`;
      await downloadDisk(paths, rds, repo, chain, info.dir, diskId, staged);
      own(paths, staged);
      renameSync(staged, disk);
      rmSync(`${disk}.snap`, { recursive: true, force: true });
    }
  } catch (err) {
    error = (err as Error).message;
  }
  withDb(paths, (db) => {
    const vm = db.vms.find((v) => v.id === req.vmId);
    if (!vm) return;
    vm.state = VM_STATE.POWEROFF;
    vm.lcmState = LCM_STATE.LCM_INIT;
    if (error) {
      vm.userTemplate = setValue(
        vm.userTemplate,
        'ERROR',
        `${ctime(now())}: Error executing image transfer script: ${error}`,
      );
    } else if (Object.keys(vm.backupConfig).length) {
      // The next INCREMENT backup starts a new image.
      vm.backupConfig.LAST_INCREMENT_ID = '-1';
      vm.backupConfig.INCREMENTAL_BACKUP_ID = '-1';
    }
  });
}
