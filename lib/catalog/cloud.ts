import 'server-only';
import {
  listBackupImages,
  listBackupJobs,
  listVms,
  type BackupJob,
  type Image,
  type OneCredential,
  type Vm,
} from '@/lib/opennebula';
import { repositoryOfImage } from './linkage';
import type { Reader } from './reader';
import { openNebulaWithin, readerKey, StillReading, type Bounded } from './shared-reads';
import { SEES_ALL, sightOf, type Sight } from './visibility';

// OpenNebula's side of a backup datastore: its backup images, the VMs and Backup Jobs they belong
// to, and what of them the reader may see.

export type Cloud = { images: Image[]; vms: Vm[]; jobs: BackupJob[]; sight: Sight };

/**
 * OpenNebula's side. Consistency needs every image of the datastore (an orphan is a snapshot no
 * image refers to, whoever owns the image), so the service identity reads them; what a non-admin
 * may see is then what OpenNebula lists for their own identity (visibility.ts).
 */
export async function readCloud(reader: Reader, datastoreId: number): Promise<Cloud> {
  const service: OneCredential = { kind: 'service' };
  const own = reader.credential;
  const [images, vms, jobs, sight] = await Promise.all([
    listBackupImages(service, datastoreId),
    listVms(service),
    listBackupJobs(service),
    reader.isAdmin
      ? SEES_ALL
      : Promise.all([listVms(own), listBackupImages(own, datastoreId), listBackupJobs(own)]).then(([v, i, j]) =>
          sightOf({ vms: v, images: i, jobs: j }),
        ),
  ]);
  return { images, vms, jobs, sight };
}

/**
 * OpenNebula's side within the pages' bound when the caller has one: the last one read, stale with
 * its age, while oned is slow (the read goes on); undefined while nothing was read yet. Without a
 * bound, as long as the CLI takes. One key per (datastore, reader) for every page built on it (the
 * overview, a repository, its maintenance), so their concurrent reads run once.
 */
export async function cloudWithin(
  reader: Reader,
  datastoreId: number,
  answerWithinMs?: number,
): Promise<Bounded<Cloud> | undefined> {
  if (answerWithinMs === undefined)
    return { value: await readCloud(reader, datastoreId), freshness: { state: 'fresh', readAt: Date.now() } };
  const key = `overview-cloud\0${datastoreId}\0${readerKey(reader)}`;
  try {
    return await openNebulaWithin(key, () => readCloud(reader, datastoreId), {
      what: 'the images and VMs',
      answerWithinMs,
    });
  } catch (err) {
    if (err instanceof StillReading) return undefined;
    throw err;
  }
}

/** Each repository's images, by the repository OpenNebula stores them in. */
export function imagesByRepository(images: readonly Image[]): Map<string, Image[]> {
  const out = new Map<string, Image[]>();
  for (const image of images) {
    const repo = repositoryOfImage(image);
    if (!repo) continue;
    const list = out.get(repo);
    if (list) list.push(image);
    else out.set(repo, [image]);
  }
  return out;
}
