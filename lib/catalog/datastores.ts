import 'server-only';
import { getDatastore, listClusters, listDatastores, type Cluster, type Datastore } from '@/lib/opennebula';
import { isResticBackupDatastore } from './access';
import type { Reader } from './reader';
import { openNebulaObjectWithin, openNebulaWithin, readerKey, type Bounded } from './shared-reads';

// Datastores as the reader's own identity sees them: what OpenNebula says about each one, without
// the backup server.

export type DatastoreInfo = Pick<
  Datastore,
  | 'id'
  | 'name'
  | 'type'
  | 'dsMad'
  | 'tmMad'
  | 'basePath'
  | 'state'
  | 'clusterIds'
  | 'totalMb'
  | 'freeMb'
  | 'usedMb'
  | 'uname'
  | 'gname'
> & {
  imageCount: number;
  isRestic: boolean;
  /** Template attributes; encrypted ones (RESTIC_PASSWORD) are listed by name only. */
  template: Record<string, string>;
  secretAttributeNames: string[];
};

/** The datastore as the reader's own identity sees it (OpenNebula refuses one they may not see). */
export async function readDatastore(reader: Reader, id: number): Promise<Datastore> {
  return getDatastore(reader.credential, id);
}

/**
 * readDatastore for a page, within the pages' bound: the last one read (stale, with its age) or
 * StillReading while oned is slow; "not found" stays a 404-kind error.
 */
export function datastoreWithin(
  reader: Reader,
  id: number,
  opts: { answerWithinMs?: number; signal?: AbortSignal } = {},
): Promise<Bounded<Datastore>> {
  return openNebulaObjectWithin(`datastore\0${id}\0${readerKey(reader)}`, () => readDatastore(reader, id), {
    what: `datastore ${id}`,
    ...opts,
  });
}

export function datastoreInfo(ds: Datastore): DatastoreInfo {
  return {
    id: ds.id,
    name: ds.name,
    type: ds.type,
    dsMad: ds.dsMad,
    tmMad: ds.tmMad,
    basePath: ds.basePath,
    state: ds.state,
    clusterIds: ds.clusterIds,
    totalMb: ds.totalMb,
    freeMb: ds.freeMb,
    usedMb: ds.usedMb,
    uname: ds.uname,
    gname: ds.gname,
    imageCount: ds.imageIds.length,
    isRestic: isResticBackupDatastore(ds),
    template: ds.template,
    secretAttributeNames: ds.secretAttributeNames,
  };
}

/** Every datastore the reader may see, backup datastores first (restic ones first among them). */
/** The datastores page's list within the pages' bound (stale with its age, or StillReading, when oned is slow). */
export function datastoreSummariesWithin(
  reader: Reader,
  opts: { answerWithinMs?: number; signal?: AbortSignal } = {},
): Promise<Bounded<DatastoreInfo[]>> {
  const key = `datastores\0${reader.isAdmin ? 'admin' : 'user'}\0${reader.username}`;
  return openNebulaWithin(key, () => listDatastoreSummaries(reader), { what: 'the datastores', ...opts });
}

/** The clusters the reader may see (the wizard's choice), within the pages' bound. */
export function clustersWithin(
  reader: Reader,
  opts: { answerWithinMs?: number; signal?: AbortSignal } = {},
): Promise<Bounded<Cluster[]>> {
  return openNebulaWithin(`clusters\0${readerKey(reader)}`, () => listClusters(reader.credential), {
    what: 'the clusters',
    ...opts,
  });
}

export async function listDatastoreSummaries(reader: Reader): Promise<DatastoreInfo[]> {
  const all = (await listDatastores(reader.credential)).map(datastoreInfo);
  const rank = (d: DatastoreInfo) => (d.type === 'BACKUP_DS' ? (d.isRestic ? 0 : 1) : 2);
  return all.sort((a, b) => rank(a) - rank(b) || a.id - b.id);
}
