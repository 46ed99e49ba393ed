import 'server-only';
import { getViewer } from '@/lib/auth';
import { datastoreWithin } from '@/lib/catalog';
import { labelWith } from './datastore-title';

/**
 * A datastore as page titles name it, "RBackups (100)", read as the signed-in viewer through the
 * same cached read the page makes (OpenNebula's read cache runs identical reads once). Signed out,
 * or when the viewer may not see it, the title has the ID only.
 */
export async function datastoreTitle(id: number): Promise<string> {
  const viewer = await getViewer();
  // Within the pages' bound: while oned is slow the title has the last name read, else the ID.
  return labelWith(id, viewer ? async (ds) => (await datastoreWithin(viewer, ds)).value : undefined);
}
