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
