import 'server-only';
import { listDatastores } from '@/lib/opennebula';
import { datastoreInfo, type DatastoreInfo, type Reader } from './overview';

/** Every datastore the reader may see, backup datastores first (restic ones first among them). */
export async function listDatastoreSummaries(reader: Reader): Promise<DatastoreInfo[]> {
  const all = (await listDatastores(reader.credential)).map(datastoreInfo);
  const rank = (d: DatastoreInfo) => (d.type === 'BACKUP_DS' ? (d.isRestic ? 0 : 1) : 2);
  return all.sort((a, b) => rank(a) - rank(b) || a.id - b.id);
}
