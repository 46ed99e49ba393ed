import 'server-only';
import { logger } from '@/lib/log';
import { getDb } from './db';

const log = logger('store');

/**
 * Opens the store once as the server starts (instrumentation.ts): its migrations run here, after a
 * copy of the file is taken, before any request. When it cannot be opened (a newer release's store,
 * an unreadable data folder, a bad setting) the reason is logged and the process stops, rather
 * than answer every request with an error; systemd shows why.
 */
export function openStoreAtStart(): void {
  try {
    getDb();
  } catch (err) {
    log.error('Backstone cannot start: the store did not open', {
      reason: err instanceof Error ? err.message : String(err),
    });
    process.exit(1);
  }
}
