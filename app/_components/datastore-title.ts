// How page titles name a datastore: as OpenNebula does, with its ID ("RBackups (100)"), the same
// label job titles use (lib/schemas/datastore-label.ts). Pure, so the fallback is unit-tested;
// page-titles.ts binds it to the viewer's own read.
import { datastoreLabel } from '@/lib/schemas/datastore-label';

export { datastoreLabel };

/**
 * The name read through `read` (the page's own cached read, run as the viewer). Any failure (not
 * found, not allowed, OpenNebula unreachable) gives the ID alone: a title never names what the
 * viewer may not see, and never fails the page.
 */
export async function labelWith(
  id: number,
  read: ((id: number) => Promise<{ name: string }>) | undefined,
): Promise<string> {
  if (!read) return datastoreLabel(id);
  try {
    return datastoreLabel(id, (await read(id)).name);
  } catch {
    return datastoreLabel(id);
  }
}
