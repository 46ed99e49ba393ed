// The titles of maintenance jobs. A datastore is named as page titles name it ("RBackups (100)"),
// so one datastore reads the same in the job list, on the job page and in the browser tab.
import { datastoreLabel } from '@/lib/schemas/datastore-label';

type Named = { id: number; name: string };

const of = (repository: string, ds: Named) => `repository ${repository} of datastore ${datastoreLabel(ds.id, ds.name)}`;

export function pruneTitle(repository: string, ds: Named): string {
  return `Prune ${of(repository, ds)}`;
}

/** `how`: "structure only", "reading 5 % of the data". */
export function checkTitle(repository: string, ds: Named, how: string): string {
  return `Check ${of(repository, ds)}, ${how}`;
}

export function forgetTitle(count: number, repository: string, ds: Named): string {
  return `Forget ${count} orphan snapshot${count === 1 ? '' : 's'} in ${of(repository, ds)}`;
}
