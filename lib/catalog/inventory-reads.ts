import 'server-only';
import { inventory, s3Inventory, s3Location, type Inventory } from '@/lib/backup-server';
import { serverKey } from '@/lib/exec';
import type { DatastoreAccess } from './access';
import { sharedCache, type Answer } from '@/lib/cache';

// The backup server's (or, for S3, the bucket's) listing of a datastore (or of one repository), shared by every page of the
// process while it runs. It is mutable, so every page asks again (nothing is served without a
// read), but one listing answers every page that asked meanwhile, and the last one stays known, so
// a page whose server is slow or down shows it with its age instead of waiting for the server.
const inventories = sharedCache<Inventory>('catalog.inventories', { freshMs: 0, max: 500 });

function keyOf(access: DatastoreAccess, only?: string): string {
  const where = access.backend === 's3' ? s3Location(access.s3) : `${serverKey(access.server)}\0${access.basePath}`;
  return `${where}\0${only ?? ''}`;
}

/**
 * A datastore's repositories read now: the backup server's listing, or an S3 datastore's bucket
 * listing in the same shape. `only` limits it to one repository.
 */
export function accessInventory(
  access: DatastoreAccess,
  opts: { signal?: AbortSignal; only?: string } = {},
): Promise<Inventory> {
  return access.backend === 's3'
    ? s3Inventory(access.s3, opts.signal, opts.only)
    : inventory(access.server, access.basePath, opts.signal, opts.only);
}

/**
 * The inventory, answered within `waitMs` when given (else whenever the read ends). `signal` aborts
 * this caller's wait only; the read goes on for the others.
 */
export async function sharedInventory(
  access: DatastoreAccess,
  only: string | undefined,
  waitMs: number | undefined,
  signal?: AbortSignal,
): Promise<Answer<Inventory>> {
  const make = () => accessInventory(access, { only });
  if (waitMs !== undefined) return inventories.within(keyOf(access, only), make, waitMs, { signal });
  const readAt = Date.now();
  const value = await inventories.read(keyOf(access, only), make, { signal });
  return { value, freshness: { state: 'fresh', readAt } };
}
