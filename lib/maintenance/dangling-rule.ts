import { repositoryOfImage } from '@/lib/catalog/linkage';
import type { Problem, SnapshotRow } from '@/lib/catalog/types';
import type { Image } from '@/lib/opennebula/models';
import type { DanglingImage } from '@/lib/schemas/maintenance';

// Which backup images the dangling-image action may delete: those the catalog flagged as dangling
// (a FULL-mode image whose SOURCE is not among the repository's snapshots; never while restic could
// not read the repository, which gives one 'unreadable' problem instead), confirmed here again on
// OpenNebula's own record: the image is in this repository, has no increments, names a snapshot ID,
// and no snapshot of the repository matches it. Both must hold, so a catalog slip never deletes a
// backup that can still be restored. An image OpenNebula is already deleting (DELETE) or still
// writing (LOCKED) is left to OpenNebula.

const HEX = /^[0-9a-f]{4,64}$/;

export function danglingImages(
  repository: string,
  problems: readonly Pick<Problem, 'kind' | 'imageId'>[],
  rows: readonly Pick<SnapshotRow, 'id'>[],
  images: readonly Pick<Image, 'id' | 'name' | 'state' | 'source' | 'increments' | 'vmIds' | 'backupJobId' | 'path'>[],
): DanglingImage[] {
  const flagged = new Set(problems.filter((p) => p.kind === 'dangling-image').map((p) => p.imageId));
  const ids = rows.map((r) => r.id.toLowerCase());
  return images
    .filter((i) => {
      const source = i.source.trim().toLowerCase();
      return (
        flagged.has(i.id) &&
        i.state !== 'DELETE' &&
        i.state !== 'LOCKED' &&
        repositoryOfImage(i) === repository &&
        i.increments.length === 0 &&
        HEX.test(source) &&
        !ids.some((id) => id.startsWith(source))
      );
    })
    .map((i) => ({ imageId: i.id, name: i.name, source: i.source, vmId: i.vmIds[0] }))
    .sort((a, b) => a.imageId - b.imageId);
}
