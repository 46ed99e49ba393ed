// Expected refusals of maintenance actions: plain words, shown to the admin as they are.

export class MaintenanceRefused extends Error {
  override name = 'MaintenanceRefused';
}
