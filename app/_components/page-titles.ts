import 'server-only';
import { getViewer } from '@/lib/auth';
import { readDatastore } from '@/lib/catalog';
import { labelWith } from './datastore-title';

/**
 * A datastore as page titles name it, "RBackups (100)", read as the signed-in viewer through the
 * same cached read the page makes (OpenNebula's read cache runs identical reads once). Signed out,
 * or when the viewer may not see it, the title has the ID only.
 */
export async function datastoreTitle(id: number): Promise<string> {
  const viewer = await getViewer();
  return labelWith(id, viewer ? (ds) => readDatastore(viewer, ds) : undefined);
}
