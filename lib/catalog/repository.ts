import 'server-only';
import { inventory } from '@/lib/backup-server';
import { getDatastore } from '@/lib/opennebula';
import { datastoreAccess } from './access';
import { busyVmIds, repositoryOfImage } from './linkage';
import { readListing } from './listing-reads';
import {
  datastoreInfo,
  linkFacts,
  readCloud,
  repositoryView,
  type Cloud,
  type DatastoreInfo,
  type Reader,
} from './overview';
import type { BackupChain, RepositoryRow, SnapshotRow } from './types';
import { seesRepository } from './visibility';
import { REPOSITORY_NAME } from '@/lib/schemas/ids';

export class RepositoryNotFound extends Error {
  override name = 'RepositoryNotFound';
}

export type RepositoryDetail = {
  datastore: DatastoreInfo;
  repository: RepositoryRow;
  /** Newest first. */
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
  // The decrypted datastore is read alongside the reader's own view of it, but nothing is done with
  // it until OpenNebula has said the reader may see the datastore.
  const accessRead = datastoreAccess(datastoreId);
  accessRead.catch(() => undefined); // awaited below, after the reader's check
  const ds = await getDatastore(reader.credential, datastoreId);
  const access = await accessRead;
  // OpenNebula's images and VMs are read while the backup server and restic are asked.
  const cloudRead = readCloud(reader, datastoreId);
  cloudRead.catch(() => undefined); // awaited below
  const inv = await inventory(access.server, access.basePath, signal, name);
  const listing = inv.repositories.find((r) => r.name === name);
  const notFound = () => new RepositoryNotFound(`There is no repository ${name} in datastore ${datastoreId}.`);
  const imagesIn = (cloud: Cloud) => cloud.images.filter((i) => repositoryOfImage(i) === name);
  if (!reader.isAdmin) {
    // Someone else's repository is refused before restic is asked about it.
    const cloud = await cloudRead;
    if (!seesRepository(cloud.sight, name, imagesIn(cloud), cloud.jobs)) throw notFound();
  }
  const facts = await readListing(access, name, listing, signal);
  const cloud = await cloudRead;
  const images = imagesIn(cloud);
  if (!listing && images.length === 0) throw notFound();
  const linkage = linkFacts(name, facts, images, busyVmIds(cloud.vms), Date.now());
  // In a Backup Job's repository a person sees only their own VMs' snapshots and images.
  const { row, seen } = repositoryView(name, listing, linkage, images, cloud);
  return { datastore: datastoreInfo(ds), repository: row, snapshots: seen.rows, chains: seen.chains };
}
