import 'server-only';
import { repositoryDetail, type Reader } from '@/lib/catalog';
import { deleteImage, listBackupImages } from '@/lib/opennebula';
import type { DanglingImage } from '@/lib/schemas/maintenance';
import { danglingImages } from './dangling-rule';
import { MaintenanceRefused } from './errors';

// Dangling backup images: listed from the catalog's verdict, deleted with `oneimage delete` run as
// the signed-in admin (OpenNebula checks their rights and records who did it). The verdict is read
// again, fresh, right before: an image whose snapshot came back, or that changed, is never deleted.

/** The dangling images of one repository, read fresh (the backup server answers in full). */
export async function danglingPreview(
  reader: Reader,
  datastoreId: number,
  repository: string,
): Promise<DanglingImage[]> {
  const [detail, images] = await Promise.all([
    repositoryDetail(reader, datastoreId, repository),
    listBackupImages({ kind: 'service' }, datastoreId),
  ]);
  if (detail.freshness.state !== 'fresh')
    throw new MaintenanceRefused(
      `Refused: the snapshots of repository ${repository} could not be read fresh, so no image can be proven dangling now. Try again.`,
    );
  return danglingImages(repository, detail.repository.problems, detail.snapshots, images);
}

/** `oneimage delete ID` of a backup image that is still dangling; the image's record as it was. */
export async function deleteDanglingImage(
  reader: Reader,
  datastoreId: number,
  repository: string,
  imageId: number,
): Promise<DanglingImage> {
  const image = (await danglingPreview(reader, datastoreId, repository)).find((d) => d.imageId === imageId);
  if (!image)
    throw new MaintenanceRefused(
      `Refused: backup image ${imageId} is no longer a dangling image of repository ${repository} (its snapshot is there, it has increments, OpenNebula is already deleting it, or it is gone). Nothing was deleted; reload the page.`,
    );
  await deleteImage(reader.credential, imageId);
  return image;
}
