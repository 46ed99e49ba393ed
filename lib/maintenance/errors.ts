import { ExpectedError } from '@/lib/errors/expected-error';

// Expected refusals of maintenance actions: plain words, shown to the admin as they are.

export class MaintenanceRefused extends ExpectedError {
  override name = 'MaintenanceRefused';
  readonly kind = 'conflict';
}
