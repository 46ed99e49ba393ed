import 'server-only';
import { isResticBackupDatastore } from '@/lib/catalog';
import { MaintenanceRefused } from '@/lib/maintenance';
import { getDatastore, type Datastore, type OneCredential } from '@/lib/opennebula';

/** Only a restic backup datastore OpenNebula shows this person has schedules (refused otherwise). */
export async function scheduledDatastore(credential: OneCredential, id: number): Promise<Datastore> {
  const ds = await getDatastore(credential, id);
  if (!isResticBackupDatastore(ds))
    throw new MaintenanceRefused(`Datastore ${id} is not a restic backup datastore: it has no schedules.`);
  return ds;
}

/** "Prune all" runs only when the datastore's own name was typed. */
export function confirmPruneAll(ds: Datastore, typed: string): void {
  if (typed !== ds.name)
    throw new MaintenanceRefused(`Refused: type the datastore’s name, ${ds.name}, to prune all its repositories.`);
}
