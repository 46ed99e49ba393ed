import { describe, expect, it } from 'vitest';
import { sharedReads } from './shared-reads';

/** A read that ends when the test says so. */
function gate<T>() {
  let open!: (v: T) => void;
  let fail!: (e: Error) => void;
  const p = new Promise<T>((res, rej) => {
    open = res;
    fail = rej;
  });
  return { p, open, fail };
}

let n = 0;
const family = <T>(freshMs: number) => sharedReads<T>(`test-${n++}`, { freshMs });

describe('sharedReads', () => {
  it('runs one read for concurrent callers of the same key', async () => {
    const reads = family<number>(0);
    let started = 0;
    const g = gate<number>();
    const make = () => (started++, g.p);
    const all = Promise.all(Array.from({ length: 50 }, () => reads.read('k', make)));
    g.open(7);
    expect(await all).toEqual(Array(50).fill(7));
    expect(started).toBe(1);
    // Once it ended, a new caller reads again (freshMs 0).
    await reads.read('k', () => (started++, Promise.resolve(8)));
    expect(started).toBe(2);
  });

  it('serves a value read within freshMs without reading', async () => {
    const reads = family<string>(60_000);
    let started = 0;
    await reads.read('k', async () => (started++, 'a'));
    expect(await reads.read('k', async () => (started++, 'b'))).toBe('a');
    expect(started).toBe(1);
    expect(reads.peek('k')).toMatchObject({ value: 'a', readAt: expect.any(Number) });
    expect(await reads.read('k', async () => (started++, 'c'), { maxAgeMs: 0 })).toBe('c');
    reads.forget('k');
    expect(await reads.read('k', async () => (started++, 'd'))).toBe('d');
    expect(started).toBe(3);
  });

  it('a caller who aborts stops only its own wait', async () => {
    const reads = family<number>(0);
    const g = gate<number>();
    const ac = new AbortController();
    const leaving = reads.read('k', () => g.p, { signal: ac.signal });
    const staying = reads.read('k', () => Promise.resolve(-1));
    ac.abort(new Error('left'));
    await expect(leaving).rejects.toThrow('left');
    g.open(3);
    expect(await staying).toBe(3);
  });

  it('answers within the bound: reading, then fresh, then stale while a newer read is slow', async () => {
    const reads = family<number>(0);
    const first = gate<number>();
    const t0 = Date.now();
    expect(await reads.within('k', () => first.p, 20)).toEqual({ freshness: { state: 'reading' } });
    expect(Date.now() - t0).toBeLessThan(1_000);
    first.open(1);
    await new Promise((r) => setImmediate(r));
    // The next caller joins nothing (the read ended) and reads again: fast, so fresh.
    const fresh = await reads.within('k', () => Promise.resolve(2), 1_000);
    expect(fresh).toMatchObject({ value: 2, freshness: { state: 'fresh' } });
    const slow = gate<number>();
    const stale = await reads.within('k', () => slow.p, 20);
    expect(stale).toMatchObject({ value: 2, freshness: { state: 'stale', reason: 'slow' } });
    // A failed read keeps the last value, saying why it is not newer (this caller joins the slow one).
    slow.fail(new Error('the server hung up'));
    const failed = await reads.within('k', () => Promise.reject(new Error('unused')), 1_000);
    expect(failed).toMatchObject({
      value: 2,
      freshness: { state: 'stale', reason: 'failed', message: 'the server hung up' },
    });
  });

  it('a failed read with nothing known throws its error', async () => {
    const reads = family<number>(0);
    await expect(reads.within('k', () => Promise.reject(new Error('no such repo')), 1_000)).rejects.toThrow(
      'no such repo',
    );
  });

  it('a read started before forget does not bring back what forget dropped', async () => {
    const reads = family<number>(60_000);
    const g = gate<number>();
    const p = reads.read('k', () => g.p);
    reads.forget('k');
    g.open(1);
    expect(await p).toBe(1);
    expect(await reads.read('k', () => Promise.resolve(2))).toBe(2);
  });
});
