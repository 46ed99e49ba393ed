// The titles of restore jobs, as the job list and the job page show them. A datastore is named as
// page titles name it ("RBackups (100)"), so one datastore reads the same everywhere.
import { datastoreLabel } from '@/lib/schemas/datastore-label';

type Named = { id: number; name: string };

export function restoreImageTitle(image: Named, target: Named): string {
  return `Restore backup image ${image.id} (“${image.name}”) into datastore ${datastoreLabel(target.id, target.name)}`;
}

export function restoreServerTitle(
  req: { imageId: number; incrementId?: number },
  datastore: Named,
  target: string,
): string {
  const upTo = req.incrementId !== undefined ? ` up to increment ${req.incrementId}` : '';
  return `Restore image ${req.imageId}${upTo} of datastore ${datastoreLabel(datastore.id, datastore.name)} to ${target}`;
}
