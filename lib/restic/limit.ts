import 'server-only';
import { getConfig } from '@/lib/config';
import { processWide } from '@/lib/config/process-wide';
import { Busy, Semaphore, serverKey, type Capacity, type SshTarget } from '@/lib/exec';

// Bounded restic concurrency per backup server: every restic process Backstone starts there
// (dumps included) holds a slot of its server for as long as it runs. Each call spends ~0.5 s of
// CPU deriving the key, so an unbounded burst would swamp the server. Interactive reads and bulk
// work (downloads, restores, checks, prune) have separate slots, so a long dump never delays an
// overview: interactive calls are few and short; bulk ones are at most the downloads and jobs a
// server admits (lib/catalog and lib/jobs refuse the rest first), and past that wait in a bounded
// queue, then are refused with Busy rather than queued forever.

const perServer = processWide('restic.limits', () => new Map<string, Semaphore>());
export const RESTIC_CONCURRENCY_PER_SERVER = 4;
/** Bulk restic calls waiting for a slot beyond this many are refused with Busy. */
export const MAX_BULK_RESTIC_WAITING = 16;
const BUSY_RETRY_AFTER_S = 30;

/** The slots of one backup server for one capacity class. */
export function serverLimit(server: Pick<SshTarget, 'host' | 'port' | 'user'>, capacity: Capacity): Semaphore {
  const k = `${serverKey(server)}/${capacity}`;
  let s = perServer.get(k);
  if (!s) {
    const { downloads, jobsPerServer } = getConfig();
    s =
      capacity === 'interactive'
        ? new Semaphore(RESTIC_CONCURRENCY_PER_SERVER)
        : new Semaphore(downloads.perServer + jobsPerServer, {
            maxWaiting: MAX_BULK_RESTIC_WAITING,
            refuse: () => new Busy(server.host, BUSY_RETRY_AFTER_S),
          });
    perServer.set(k, s);
  }
  return s;
}
