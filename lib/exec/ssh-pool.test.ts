import type { NodeSSH } from 'node-ssh';
import { describe, expect, it } from 'vitest';
import { Busy, Canceled } from './errors';
import { Connection, MAX_BULK_WAITING, MAX_CHANNELS, type ResolvedTarget } from './ssh-pool';

// The channel queue of one pooled connection (no SSH needed: acquire only counts).
const target = { alias: 'backup-1' } as ResolvedTarget;
const conn = (capacity: 'interactive' | 'bulk') =>
  new Connection(
    { connection: null, dispose: () => undefined } as unknown as NodeSSH,
    target,
    capacity,
    () => undefined,
  );

describe('Connection.acquire', () => {
  it('bulk: past MAX_CHANNELS running and MAX_BULK_WAITING queued, refuses with Busy at once', async () => {
    const c = conn('bulk');
    const running = await Promise.all(Array.from({ length: MAX_CHANNELS }, () => c.acquire('x')));
    const queued = Array.from({ length: MAX_BULK_WAITING }, () => c.acquire('x'));
    const refused = await c.acquire('x').catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(Busy);
    expect((refused as Busy).retryAfterSeconds).toBeGreaterThan(0);
    // A slot given back goes to the first in the queue.
    running[0]!();
    (await queued[0]!)();
    for (const r of running) r();
    for (const q of queued.slice(1)) (await q)();
    c.close();
  });

  it('interactive: queues without a bound', async () => {
    const c = conn('interactive');
    const running = await Promise.all(Array.from({ length: MAX_CHANNELS }, () => c.acquire('x')));
    const queued = Array.from({ length: MAX_BULK_WAITING + 5 }, () => c.acquire('x'));
    for (const r of running) r();
    for (const q of queued) (await q)();
    c.close();
  });

  it('a wait ends with Canceled when its signal aborts, and leaves the queue', async () => {
    const c = conn('bulk');
    const running = await Promise.all(Array.from({ length: MAX_CHANNELS }, () => c.acquire('x')));
    const ac = new AbortController();
    const waiting = c.acquire('restic dump', ac.signal);
    const after = c.acquire('x');
    ac.abort();
    await expect(waiting).rejects.toBeInstanceOf(Canceled);
    running[0]!();
    (await after)();
    for (const r of running) r();
    c.close();
  });
});
