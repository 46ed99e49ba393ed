import 'server-only';
import { inventory } from '@/lib/backup-server';
import { getDatastore, type Image } from '@/lib/opennebula';
import { datastoreAccess } from './access';
import { busyVmIds, repositoryOfImage } from './linkage';
import {
  datastoreInfo,
  linkListing,
  readCloud,
  repositoryRow,
  visible,
  type DatastoreInfo,
  type Reader,
} from './overview';
import type { BackupChain, RepositoryRow, SnapshotRow } from './types';
import { REPOSITORY_NAME } from '@/lib/schemas/ids';

export class RepositoryNotFound extends Error {
  override name = 'RepositoryNotFound';
}

export type RepositoryDetail = {
  datastore: DatastoreInfo;
  repository: RepositoryRow;
  snapshots: SnapshotRow[];
  chains: BackupChain[];
};

/** A repository name as OpenNebula makes them: a VM ID, or job_<ID>. */
export { REPOSITORY_NAME };

/** One repository's snapshots, linked to images and increments, as far as the reader may see. */
export async function repositoryDetail(
  reader: Reader,
  datastoreId: number,
  name: string,
  signal?: AbortSignal,
): Promise<RepositoryDetail> {
  if (!REPOSITORY_NAME.test(name)) throw new RepositoryNotFound(`There is no repository ${name}.`);
  const ds = await getDatastore(reader.credential, datastoreId);
  const [cloud, access] = await Promise.all([readCloud(reader, datastoreId), datastoreAccess(datastoreId)]);
  const inv = await inventory(access.server, access.basePath, signal);
  const listing = inv.repositories.find((r) => r.name === name);
  const images: Image[] = cloud.images.filter((i) => repositoryOfImage(i) === name);
  if (!listing && images.length === 0)
    throw new RepositoryNotFound(`There is no repository ${name} in datastore ${datastoreId}.`);
  const linkage = await linkListing(access, name, listing, images, busyVmIds(cloud.vms), Date.now(), signal);
  const row = repositoryRow(name, listing, linkage, images, cloud);
  if (!visible(row, reader, cloud))
    throw new RepositoryNotFound(`There is no repository ${name} in datastore ${datastoreId}.`);
  // In a Backup Job's repository a person sees only their own VMs' snapshots.
  const mine = (vmId: number | undefined) => reader.isAdmin || (vmId !== undefined && cloud.visibleVmIds.has(vmId));
  return {
    datastore: datastoreInfo(ds),
    repository: row,
    snapshots: linkage.rows.filter((s) => mine(s.vmId)),
    chains: linkage.chains.filter((c) => mine(c.vmId)),
  };
}
