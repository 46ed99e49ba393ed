import 'server-only';
import { getConfig } from '@/lib/config';
import { processWide } from '@/lib/config/process-wide';
import { Busy, Canceled, serverKey, type Capacity, type SshTarget } from '@/lib/exec';

// Bounded restic concurrency per backup server: every restic process Backstone starts there
// (dumps included) holds a slot of its server for as long as it runs. Each call spends ~0.5 s of
// CPU deriving the key, so an unbounded burst would swamp the server. Interactive reads and bulk
// work (downloads, restores, checks, prune) have separate slots, so a long dump never delays an
// overview: interactive calls are few and short; bulk ones are at most the downloads and jobs a
// server admits (lib/catalog and lib/jobs refuse the rest first), and past that wait in a bounded
// queue, then are refused with Busy rather than queued forever.

export class Semaphore {
  private active = 0;
  private waiting: (() => void)[] = [];
  constructor(
    private readonly limit: number,
    /** Waiters beyond this are refused with `refuse()`; undefined: no bound. */
    private readonly maxWaiting?: number,
    private readonly refuse?: () => Error,
  ) {}

  /** Waits for a slot (ending with Canceled when `signal` aborts); the returned function frees it. */
  async acquire(what = 'restic', signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) throw new Canceled(what);
    if (this.active >= this.limit) {
      if (this.maxWaiting !== undefined && this.waiting.length >= this.maxWaiting)
        throw this.refuse?.() ?? new Error('too many waiting');
      await new Promise<void>((resolve, reject) => {
        const wake = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = () => {
          this.waiting = this.waiting.filter((w) => w !== wake);
          reject(new Canceled(what));
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        this.waiting.push(wake);
      });
    }
    this.active += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active -= 1;
      this.waiting.shift()?.();
    };
  }

  async run<T>(fn: () => Promise<T>, what?: string, signal?: AbortSignal): Promise<T> {
    const release = await this.acquire(what, signal);
    try {
      return await fn();
    } finally {
      release();
    }
  }
}

const perServer = processWide('restic.limits', () => new Map<string, Semaphore>());
export const RESTIC_CONCURRENCY_PER_SERVER = 4;
/** Bulk restic calls waiting for a slot beyond this many are refused with Busy. */
export const MAX_BULK_RESTIC_WAITING = 16;
const BUSY_RETRY_AFTER_S = 30;

/** The slots of one backup server for one capacity class. */
export function serverLimit(server: SshTarget, capacity: Capacity): Semaphore {
  const k = `${serverKey(server)}/${capacity}`;
  let s = perServer.get(k);
  if (!s) {
    const { downloads, jobsPerServer } = getConfig();
    s =
      capacity === 'interactive'
        ? new Semaphore(RESTIC_CONCURRENCY_PER_SERVER)
        : new Semaphore(
            downloads.perServer + jobsPerServer,
            MAX_BULK_RESTIC_WAITING,
            () => new Busy(server.host, BUSY_RETRY_AFTER_S),
          );
    perServer.set(k, s);
  }
  return s;
}
