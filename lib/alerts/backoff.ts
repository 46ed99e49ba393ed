// Retries within one delivery round: the first try at once, then after 1 s, 4 s and 16 s (four
// tries, about 21 s at most). A round that fails every try leaves the delivery "retrying"; the
// next tick starts a new round (engine.ts says when it gives up).

export const RETRY_DELAYS_MS: readonly number[] = [1_000, 4_000, 16_000];

export type TryOutcome = { ok: true } | { ok: false; error: string };

export type RoundOutcome = { ok: boolean; tries: number; errors: string[] };

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Tries `attempt` until it succeeds, waiting `delays[i]` before retry i+1; bounded by the delays. */
export async function withRetries(
  attempt: () => Promise<TryOutcome>,
  delays: readonly number[] = RETRY_DELAYS_MS,
  wait: (ms: number) => Promise<void> = sleep,
): Promise<RoundOutcome> {
  const errors: string[] = [];
  for (let i = 0; ; i++) {
    const out = await attempt();
    if (out.ok) return { ok: true, tries: i + 1, errors };
    errors.push(out.error);
    const delay = delays[i];
    if (delay === undefined) return { ok: false, tries: i + 1, errors };
    await wait(delay);
  }
}
