// Links between pages that client components build. Kept apart from the zod schemas so that a
// link does not pull zod into a page's JavaScript.

/** The repository's maintenance page. */
export function maintenanceHref(datastoreId: number, repo: string): string {
  return `/datastores/${datastoreId}/maintenance/${encodeURIComponent(repo)}`;
}

/** The repository's maintenance page, at its Locks panel. */
export function locksHref(datastoreId: number, repo: string): string {
  return `${maintenanceHref(datastoreId, repo)}#locks`;
}

/** A repository's page (its snapshots and backup images). */
export function repositoryHref(datastoreId: number, repo: string): string {
  return `/datastores/${datastoreId}/repos/${encodeURIComponent(repo)}`;
}

/** One snapshot's page in its repository. */
export function snapshotHref(datastoreId: number, repo: string, snapshotId: string): string {
  return `${repositoryHref(datastoreId, repo)}/snapshots/${encodeURIComponent(snapshotId)}`;
}

/** A VM's page: its backups, Back up now, restore in place, its backup configuration. */
export function vmHref(vmId: number): string {
  return `/vms/${vmId}`;
}
