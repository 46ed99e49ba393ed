import { describe, expect, it } from 'vitest';
import { Busy, Canceled } from './errors';
import { Semaphore } from './semaphore';

const settled = async (p: Promise<unknown>) => {
  let done = false;
  void p.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((r) => setImmediate(r));
  return done;
};

describe('Semaphore', () => {
  it('lets `limit` holders in at once and the next waiter in as one leaves, in order', async () => {
    const s = new Semaphore(2);
    const a = await s.acquire('a');
    await s.acquire('b');
    const c = s.acquire('c');
    const d = s.acquire('d');
    expect(await settled(c)).toBe(false);
    a();
    a(); // a second release gives nothing back twice
    expect(await settled(c)).toBe(true);
    expect(await settled(d)).toBe(false);
  });

  it('refuses a caller at once when its bounded queue is full', async () => {
    const s = new Semaphore(1, { maxWaiting: 1, refuse: () => new Busy('backup-1', 30) });
    await s.acquire('a');
    const queued = s.acquire('b');
    await expect(s.acquire('c')).rejects.toBeInstanceOf(Busy);
    expect(await settled(queued)).toBe(false);
  });

  it('a waiter whose signal aborts leaves the queue with Canceled; the next one gets the slot', async () => {
    const s = new Semaphore(1, { maxWaiting: 1 });
    const release = await s.acquire('a');
    const ac = new AbortController();
    const leaving = s.acquire('restic dump', ac.signal);
    ac.abort();
    await expect(leaving).rejects.toBeInstanceOf(Canceled);
    const next = s.acquire('b'); // the queue has room again
    release();
    expect(await settled(next)).toBe(true);
    await expect(s.acquire('x', AbortSignal.abort())).rejects.toBeInstanceOf(Canceled);
  });

  it('says when it is idle: the last holder left and nobody waits', async () => {
    let idle = 0;
    const s = new Semaphore(1, { onIdle: () => (idle += 1) });
    const a = await s.acquire('a');
    const b = s.acquire('b');
    a();
    expect(idle).toBe(0); // handed on to the waiter, not idle
    (await b)();
    expect(idle).toBe(1);
  });
});
