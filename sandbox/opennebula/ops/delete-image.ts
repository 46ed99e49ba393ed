// Deleting a backup image: the driver's rm (forget --prune of every snapshot), then the record.
import type { FrontendPaths } from '../paths';
import { readDb, withDb } from '../store/db';
import { resticDs } from '../driver/datastore-context';
import { removeSnapshots } from '../driver/rm';
import { imageChain, imageRepoId } from './image-repo';
import { IMAGE_STATE } from './states';
import { setValue } from '../template/template';
import { refreshDatastore } from './monitor-datastores';
import { rmSync } from 'node:fs';

export async function deleteImageData(paths: FrontendPaths, imageId: number): Promise<void> {
  const db = readDb(paths);
  const img = db.images.find((i) => i.id === imageId);
  if (!img) return;
  const ds = db.datastores.find((d) => d.id === img.datastoreId);
  try {
    if (ds && ds.dsMad === 'restic') {
      await removeSnapshots(
        paths,
        resticDs(paths, ds),
        imageRepoId(img),
        imageChain(img).map((i) => i.source),
      );
    } else if (img.source.startsWith('/')) {
      rmSync(img.source, { force: true });
    }
  } catch (err) {
    withDb(paths, (d) => {
      const i = d.images.find((x) => x.id === imageId);
      if (!i) return;
      i.state = IMAGE_STATE.ERROR;
      i.template = setValue(i.template, 'ERROR', `Error deleting image: ${(err as Error).message}`);
    });
    throw err;
  }
  forgetImage(paths, imageId);
  if (ds) await refreshDatastore(paths, ds.id);
}

export function forgetImage(paths: FrontendPaths, imageId: number): void {
  withDb(paths, (d) => {
    d.images = d.images.filter((i) => i.id !== imageId);
    for (const vm of d.vms) {
      vm.backupIds = vm.backupIds.filter((id) => id !== imageId);
      if (vm.backupConfig.INCREMENTAL_BACKUP_ID === String(imageId)) {
        delete vm.backupConfig.INCREMENTAL_BACKUP_ID;
        delete vm.backupConfig.LAST_INCREMENT_ID;
      }
    }
  });
}
