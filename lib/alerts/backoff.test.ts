import { describe, expect, it } from 'vitest';
import { RETRY_DELAYS_MS, withRetries, type TryOutcome } from './backoff';

describe('delivery backoff', () => {
  it('waits 1 s, 4 s and 16 s between four tries, then stops', async () => {
    expect(RETRY_DELAYS_MS).toEqual([1_000, 4_000, 16_000]);
    const waits: number[] = [];
    let tries = 0;
    const out = await withRetries(
      async (): Promise<TryOutcome> => ({ ok: false, error: `refused ${++tries}` }),
      RETRY_DELAYS_MS,
      async (ms) => {
        waits.push(ms);
      },
    );
    expect(out).toEqual({ ok: false, tries: 4, errors: ['refused 1', 'refused 2', 'refused 3', 'refused 4'] });
    expect(waits).toEqual([1_000, 4_000, 16_000]);
  });

  it('stops at the first success', async () => {
    const waits: number[] = [];
    let tries = 0;
    const out = await withRetries(
      async (): Promise<TryOutcome> => (++tries < 3 ? { ok: false, error: 'down' } : { ok: true }),
      RETRY_DELAYS_MS,
      async (ms) => {
        waits.push(ms);
      },
    );
    expect(out).toEqual({ ok: true, tries: 3, errors: ['down', 'down'] });
    expect(waits).toEqual([1_000, 4_000]);
  });
});
