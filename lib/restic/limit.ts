import { processWide } from '@/lib/config/process-wide';

// A small counting semaphore: bounded restic concurrency per backup server (each restic call
// spends ~0.5 s of CPU deriving the key, so an unbounded burst would swamp the server).

export class Semaphore {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((r) => this.waiting.push(r));
    this.active += 1;
    try {
      return await fn();
    } finally {
      this.active -= 1;
      this.waiting.shift()?.();
    }
  }
}

const perServer = processWide('restic.limits', () => new Map<string, Semaphore>());
export const RESTIC_CONCURRENCY_PER_SERVER = 4;

export function serverLimit(key: string): Semaphore {
  let s = perServer.get(key);
  if (!s) {
    s = new Semaphore(RESTIC_CONCURRENCY_PER_SERVER);
    perServer.set(key, s);
  }
  return s;
}
