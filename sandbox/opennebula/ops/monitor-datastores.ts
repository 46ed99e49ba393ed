// Datastore monitoring: restic datastores through the driver's SSH `df`, the others locally.
import type { FrontendPaths } from '../paths';
import { readDb, withDb } from '../store/db';
import { monitorLocalDs, monitorResticDs } from '../driver/monitor';

export async function refreshDatastore(paths: FrontendPaths, dsId: number): Promise<void> {
  const ds = readDb(paths).datastores.find((d) => d.id === dsId);
  if (!ds) return;
  const cap = ds.dsMad === 'restic' ? await monitorResticDs(paths, ds.basePath) : await monitorLocalDs(ds.basePath);
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
