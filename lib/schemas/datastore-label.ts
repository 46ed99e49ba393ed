// How Backstone names a datastore wherever a person reads it (page titles, job titles): as
// OpenNebula does, its name with its ID, "RBackups (100)". Pure and shared: app/ and lib/ both use it.

export function datastoreLabel(id: number, name?: string): string {
  return name ? `${name} (${id})` : `datastore ${id}`;
}
