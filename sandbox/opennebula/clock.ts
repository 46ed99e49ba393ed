// The front-end's clock in epoch seconds. ONE_SANDBOX_NOW pins it, so the seed can build a history
// spread over weeks (and pass the same moment to restic with --time).
export function now(env: NodeJS.ProcessEnv = process.env): number {
  const pinned = env.ONE_SANDBOX_NOW;
  if (pinned && /^\d+$/.test(pinned)) return Number(pinned);
  return Math.floor(Date.now() / 1000);
}

export function pinnedNow(env: NodeJS.ProcessEnv = process.env): number | undefined {
  const pinned = env.ONE_SANDBOX_NOW;
  return pinned && /^\d+$/.test(pinned) ? Number(pinned) : undefined;
}
