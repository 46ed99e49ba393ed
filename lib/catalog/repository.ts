import 'server-only';
import { ExpectedError } from '@/lib/errors/expected-error';
import { getDatastore } from '@/lib/opennebula';
import { datastoreAccess, datastoreAccessWithin, type DatastoreAccess } from './access';
import { sharedInventory } from './inventory-reads';
import { cloudWithin, type Cloud } from './cloud';
import { datastoreInfo, datastoreWithin, type DatastoreInfo } from './datastores';
import { busyVmIds, repositoryOfImage } from './linkage';
import { settleWithin, sharedListingRead, type ListingFacts } from './listing-reads';
import type { Reader } from './reader';
import { linkFacts, nothingLinked, repositoryView } from './repository-view';
import { leastFresh, StillReading, waitOrAbort, type Bounded, type Freshness } from './shared-reads';
import type { BackupChain, RepositoryRow, SnapshotRow } from './types';
import { seesRepository } from './visibility';
import { REPOSITORY_NAME } from '@/lib/schemas/ids';

/**
 * No such repository (or snapshot), or none the reader may see. The message names what was asked
 * for (for logs and the audit); a person reads the same words whether it exists for someone else.
 */
export class RepositoryNotFound extends ExpectedError {
  override name = 'RepositoryNotFound';
  readonly kind = 'not-found';
  override get userMessage(): string {
    return 'There is no such repository.';
  }
}

export type RepositoryDetail = {
  datastore: DatastoreInfo;
  repository: RepositoryRow;
  /** Newest first. */
  snapshots: SnapshotRow[];
  chains: BackupChain[];
  /** The lock files the backup server's listing shows (restic lock IDs); a new lock is a new file. */
  lockFiles: string[];
  /**
   * How current the snapshots are: fresh; the backup server's last listing, with its age, while
   * the server is slow or failing (`stale`); or `reading`: no snapshot is known yet, the reads go
   * on and the page asks again.
   */
  freshness: Freshness;
  /**
   * How current OpenNebula's side is (the datastore, its images, VMs and Backup Jobs), when it is not
   * fresh (read within the bound: oned is slow).
   */
  opennebula?: Freshness;
};

/** A repository name as OpenNebula makes them: a VM ID, or job_<ID>. */
export { REPOSITORY_NAME };

/**
 * One repository's snapshots, linked to images and increments, as far as the reader may see.
 * With `answerWithinMs`, the backup server and restic get at most that long (from the call): what
 * is not known by then is answered as stale or still reading (see `freshness`), and the reads go
 * on for the next caller; so does OpenNebula (the last datastore, images and VMs read, stale with
 * their age in `opennebula`; StillReading while none was read yet).
 */
export async function repositoryDetail(
  reader: Reader,
  datastoreId: number,
  name: string,
  signal?: AbortSignal,
  opts: { answerWithinMs?: number } = {},
): Promise<RepositoryDetail> {
  const started = Date.now();
  const left = () =>
    opts.answerWithinMs === undefined ? undefined : Math.max(0, started + opts.answerWithinMs - Date.now());
  if (!REPOSITORY_NAME.test(name)) throw new RepositoryNotFound(`There is no repository ${name}.`);
  // The decrypted datastore is read alongside the reader's own view of it, but nothing is done with
  // it until OpenNebula has said the reader may see the datastore.
  // With a bound, both are OpenNebula reads for a page: the last ones (stale) or StillReading when
  // oned is slow, a missing datastore still "not found".
  const fresh = <T>(value: T): Bounded<T> => ({ value, freshness: { state: 'fresh', readAt: Date.now() } });
  const accessRead: Promise<Bounded<DatastoreAccess>> =
    opts.answerWithinMs === undefined
      ? datastoreAccess(datastoreId).then(fresh)
      : datastoreAccessWithin(datastoreId, { answerWithinMs: left() ?? 0 });
  accessRead.catch(() => undefined); // awaited below, after the reader's check
  const dsAnswer =
    opts.answerWithinMs === undefined
      ? fresh(await getDatastore(reader.credential, datastoreId))
      : await datastoreWithin(reader, datastoreId, { answerWithinMs: left() ?? 0 });
  const ds = dsAnswer.value;
  const accessAnswer = await accessRead;
  const access = accessAnswer.value;
  // OpenNebula's images and VMs are read while the backup server and restic are asked; without
  // them nothing can be linked, nor can a person's sight of the repository be known.
  const cloudRead = cloudWithin(reader, datastoreId, left()).then((answer) => {
    if (answer) return answer;
    throw new StillReading(
      'Backstone is still reading the images and VMs from OpenNebula. This page asks again shortly.',
    );
  });
  cloudRead.catch(() => undefined); // awaited below
  const inv = await sharedInventory(access, name, left(), signal);
  // Unknown while the server has never answered: then only OpenNebula can say the repository exists.
  const listing = inv.value?.repositories.find((r) => r.name === name);
  const notFound = () => new RepositoryNotFound(`There is no repository ${name} in datastore ${datastoreId}.`);
  const imagesIn = (cloud: Cloud) => cloud.images.filter((i) => repositoryOfImage(i) === name);
  if (!reader.isAdmin) {
    // Someone else's repository is refused before restic is asked about it.
    const cloud = (await cloudRead).value;
    if (!seesRepository(cloud.sight, name, imagesIn(cloud), cloud.jobs)) throw notFound();
  }
  let facts: ListingFacts | undefined;
  if (inv.value && !listing) facts = { snapshots: [] };
  else if (listing) {
    const read = sharedListingRead(access, name, listing);
    const waitMs = left();
    facts =
      waitMs === undefined
        ? await waitOrAbort(read, signal)
        : (await waitOrAbort(settleWithin([[name, read]], waitMs), signal)).get(name);
  }
  const cloudAnswer = await cloudRead;
  const cloud = cloudAnswer.value;
  const opennebula = leastFresh(dsAnswer.freshness, accessAnswer.freshness, cloudAnswer.freshness);
  const images = imagesIn(cloud);
  if (inv.value && !listing && images.length === 0) throw notFound();
  const linkage = facts ? linkFacts(name, facts, images, busyVmIds(cloud.vms), Date.now()) : nothingLinked();
  // In a Backup Job's repository a person sees only their own VMs' snapshots and images.
  const { row, seen } = repositoryView(name, listing, linkage, images, cloud, facts === undefined);
  return {
    datastore: datastoreInfo(ds),
    repository: row,
    snapshots: seen.rows,
    chains: seen.chains,
    lockFiles: reader.isAdmin ? (listing?.locks.map((l) => l.id) ?? []) : [],
    freshness: facts ? inv.freshness : { state: 'reading' },
    ...(opennebula.state === 'fresh' ? {} : { opennebula }),
  };
}
