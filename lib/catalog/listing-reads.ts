import 'server-only';
import { createHash } from 'node:crypto';
import type { RepositoryListing } from '@/lib/backup-server';
import { logger } from '@/lib/log';
import { ResticError, type Snapshot } from '@/lib/restic';
import type { DatastoreAccess } from './access';
import { sharedCache } from '@/lib/cache';
import { keyOf, snapshotFacts } from './snapshot-facts';
import type { Problem } from './types';

const log = logger('catalog');

/** What restic said about one repository's snapshots, or why it could not say. */
export type ListingFacts = { snapshots: Snapshot[] } | { unreadable: Problem } | { notARepository: true };

/**
 * Reads one repository's snapshots (from the cache, restic only for new IDs). A repository restic
 * cannot read (damaged, wrong password) gets one problem saying so instead of false verdicts on
 * every image.
 */
export async function readListing(
  access: DatastoreAccess,
  name: string,
  listing: RepositoryListing | undefined,
  signal?: AbortSignal,
): Promise<ListingFacts> {
  // A folder without restic's config file: no snapshots, and no verdicts on images either.
  if (listing && !listing.initialized) return { notARepository: true };
  if (!listing) return { snapshots: [] };
  try {
    return { snapshots: await snapshotFacts(access.repo(name), listing.snapshotIds, signal) };
  } catch (err) {
    if (!(err instanceof ResticError)) throw err;
    log.warn('could not read snapshots', { repository: name, error: err.message });
    return {
      unreadable: {
        kind: 'unreadable',
        repository: name,
        severity: 'error',
        message: err.message,
        action: 'Until restic can read this repository, none of its backups can be checked or restored.',
      },
    };
  }
}

// Reads still running, by repository and the exact snapshot IDs asked for. A cold overview answers
// before restic has read every repository; the reads go on (bounded per server by lib/restic) and
// the next overview joins them instead of starting restic again. Nothing is kept once a read ends:
// the facts themselves are cached by snapshot ID (snapshot-facts.ts).
const listingReads = sharedCache<ListingFacts>('catalog.listing-reads', { freshMs: 0, max: 300 });

/**
 * readListing shared by every reader of the process while it runs. It takes no request's abort
 * signal: a reader who leaves does not cancel what the next one is waiting for.
 */
export function sharedListingRead(
  access: DatastoreAccess,
  name: string,
  listing: RepositoryListing,
): Promise<ListingFacts> {
  const ids = createHash('sha256').update(listing.snapshotIds.join('\n')).digest('base64url');
  const key = `${keyOf(access.repo(name))}\0${listing.initialized ? 'repo' : 'folder'}\0${ids}`;
  return listingReads.read(key, () => readListing(access, name, listing));
}

/**
 * Waits for the reads, at most `waitMs` when given: the values of those that finished by then.
 * The first failure among them is thrown; a read still running is left to finish on its own.
 */
export async function settleWithin<K, T>(
  reads: readonly (readonly [K, Promise<T>])[],
  waitMs?: number,
): Promise<Map<K, T>> {
  const done = new Map<K, T>();
  let failure: { error: unknown } | undefined;
  const all = Promise.all(
    reads.map(([k, p]) =>
      p.then(
        (v) => void done.set(k, v),
        (error: unknown) => void (failure ??= { error }),
      ),
    ),
  );
  if (waitMs === undefined) await all;
  else {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([all, new Promise<void>((r) => (timer = setTimeout(r, waitMs)))]);
    clearTimeout(timer);
  }
  if (failure) throw failure.error;
  return new Map(done);
}
