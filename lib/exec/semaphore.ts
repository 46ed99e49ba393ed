import { Canceled } from './errors';

// One counting semaphore for every per-server bound: the SSH channels of a pooled connection and the
// restic slots of a backup server. At most `limit` holders; the rest wait in order. A wait ends
// with Canceled when the waiter's signal aborts (and it leaves the queue); with `maxWaiting`, a
// caller who finds the queue full is refused at once with `refuse()` rather than queued forever.

export type SemaphoreOptions = {
  /** Waiters beyond this are refused with `refuse()`; undefined: no bound. */
  maxWaiting?: number;
  refuse?: () => Error;
  /** Called when the last holder leaves and nobody waits (a pooled connection starts its idle timer). */
  onIdle?: () => void;
};

export class Semaphore {
  private active = 0;
  private waiting: (() => void)[] = [];

  constructor(
    private readonly limit: number,
    private readonly opts: SemaphoreOptions = {},
  ) {}

  /** Waits for a slot (ending with Canceled when `signal` aborts); the returned function frees it. */
  async acquire(what: string, signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) throw new Canceled(what);
    if (this.active >= this.limit) {
      const { maxWaiting, refuse } = this.opts;
      if (maxWaiting !== undefined && this.waiting.length >= maxWaiting)
        throw refuse?.() ?? new Error(`${what}: too many waiting`);
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
      const next = this.waiting.shift();
      if (next) next();
      else if (this.active === 0) this.opts.onIdle?.();
    };
  }

  async run<T>(fn: () => Promise<T>, what: string, signal?: AbortSignal): Promise<T> {
    const release = await this.acquire(what, signal);
    try {
      return await fn();
    } finally {
      release();
    }
  }
}
