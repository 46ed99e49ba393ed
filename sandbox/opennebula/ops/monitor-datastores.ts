// Datastore monitoring: SFTP restic datastores through the driver's SSH `df`, S3 ones from their
// backup images' sizes, the others locally.
import type { FrontendPaths } from '../paths';
import { readDb, withDb } from '../store/db';
import { monitorLocalDs, monitorResticDs, monitorS3Ds, type Capacity } from '../driver/monitor';
import { resticBackend } from '../driver/datastore-context';
import type { Datastore } from '../store/types';

async function monitor(paths: FrontendPaths, ds: Datastore): Promise<Capacity | undefined> {
  if (ds.dsMad !== 'restic') return monitorLocalDs(ds.basePath);
  let backend: 'SFTP' | 'S3';
  try {
    backend = resticBackend(paths, ds);
  } catch {
    return undefined;
  }
  return backend === 'S3' ? monitorS3Ds(readDb(paths), ds) : monitorResticDs(paths, ds.basePath);
}

export async function refreshDatastore(paths: FrontendPaths, dsId: number): Promise<void> {
  const ds = readDb(paths).datastores.find((d) => d.id === dsId);
  if (!ds) return;
  const cap = await monitor(paths, ds);
  withDb(paths, (db) => {
    const d = db.datastores.find((x) => x.id === dsId);
    if (!d) return;
    // A failed monitor leaves zeros, which is how an unreachable backup server shows in oned.
    d.totalMb = cap?.totalMb ?? 0;
    d.freeMb = cap?.freeMb ?? 0;
    d.usedMb = cap?.usedMb ?? 0;
  });
}

export async function refreshAllDatastores(paths: FrontendPaths): Promise<void> {
  for (const ds of readDb(paths).datastores) await refreshDatastore(paths, ds.id);
}
