import { describe, expect, it, vi } from 'vitest';
import { sharedCache } from './shared-cache';

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
const family = <T>(freshMs: number, max?: number) =>
  sharedCache<T>(`test-${n++}`, { freshMs, ...(max !== undefined ? { max } : {}) });

describe('sharedCache', () => {
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
  it('a caller aborted before it asks gets its own reason; the read goes on for the next caller', async () => {
    const reads = family<number>(0);
    const ac = new AbortController();
    ac.abort(new Error('gone already'));
    let started = 0;
    const g = gate<number>();
    await expect(reads.read('k', () => (started++, g.p), { signal: ac.signal })).rejects.toThrow('gone already');
    const staying = reads.read('k', () => (started++, g.p));
    g.open(5);
    expect(await staying).toBe(5);
    // The second caller joined the read the first one's call started.
    expect(started).toBe(1);
  });

  it('no caller signal reaches the read: make is called without one and the value is kept', async () => {
    const reads = family<string>(60_000);
    const g = gate<string>();
    const make = (...args: unknown[]) => (expect(args).toEqual([]), g.p);
    const a = new AbortController();
    const b = new AbortController();
    const first = reads.read('k', make, { signal: a.signal });
    const second = reads.read('k', make, { signal: b.signal });
    a.abort(new Error('a left'));
    b.abort(new Error('b left'));
    await expect(first).rejects.toThrow('a left');
    await expect(second).rejects.toThrow('b left');
    g.open('kept');
    await new Promise((r) => setImmediate(r));
    // Everyone left, the read still ended and its value serves the next caller without reading.
    expect(await reads.read('k', () => Promise.reject(new Error('read again')))).toBe('kept');
  });

  it('a failed read is not kept: its waiters get the error, the next caller reads again', async () => {
    const reads = family<number>(Number.POSITIVE_INFINITY);
    const g = gate<number>();
    const a = reads.read('k', () => g.p);
    const b = reads.read('k', () => Promise.resolve(-1));
    g.fail(new Error('restic failed'));
    await expect(a).rejects.toThrow('restic failed');
    await expect(b).rejects.toThrow('restic failed');
    expect(reads.peek('k')).toBeUndefined();
    expect(await reads.read('k', () => Promise.resolve(4))).toBe(4);
  });

  it('a failed refresh keeps the value known before it', async () => {
    const reads = family<number>(0);
    await reads.read('k', () => Promise.resolve(1));
    await expect(reads.read('k', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(reads.peek('k')?.value).toBe(1);
  });

  it('serves a value younger than freshMs, reads again once it is older', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    try {
      const reads = family<number>(3_000);
      let started = 0;
      const make = () => Promise.resolve(++started);
      expect(await reads.read('k', make)).toBe(1);
      vi.advanceTimersByTime(2_900);
      expect(await reads.read('k', make)).toBe(1);
      vi.advanceTimersByTime(200);
      expect(await reads.read('k', make)).toBe(2);
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps at most max keys, least recently used out first', async () => {
    const reads = family<number>(Number.POSITIVE_INFINITY, 2);
    await reads.read('a', () => Promise.resolve(1));
    await reads.read('b', () => Promise.resolve(2));
    await reads.read('a', () => Promise.resolve(-1)); // a is used again
    await reads.read('c', () => Promise.resolve(3));
    expect(reads.peek('a')?.value).toBe(1);
    expect(reads.peek('b')).toBeUndefined();
    expect(reads.peek('c')?.value).toBe(3);
  });

  it('set keeps a value worked out elsewhere; clear forgets every key', () => {
    const kept = family<{ bytes: number }>(Number.POSITIVE_INFINITY);
    kept.set('x', { bytes: 10 }, 1234);
    expect(kept.peek('x')).toEqual({ value: { bytes: 10 }, readAt: 1234 });
    kept.clear();
    expect(kept.peek('x')).toBeUndefined();
  });

  it('after forget, a new caller starts a new read; the one running still answers its waiters', async () => {
    const reads = family<number>(60_000);
    const old = gate<number>();
    const before = reads.read('k', () => old.p);
    reads.forget('k');
    const after = reads.read('k', () => Promise.resolve(2));
    old.open(1);
    expect(await before).toBe(1);
    expect(await after).toBe(2);
    expect(reads.peek('k')?.value).toBe(2);
  });
});
