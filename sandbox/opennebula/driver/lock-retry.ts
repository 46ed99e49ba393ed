// run_with_lock_retry: restic >= 0.17 exits 11 when the repository is locked; 0.14 exits 1 with
// "repository is already locked". The driver retries such runs, a bounded number of times.
import type { RunResult } from '../../common/process';

export function isLocked(r: RunResult): boolean {
  return r.code === 11 || /repository is already locked/.test(r.stderr);
}

export async function withLockRetry(
  attempt: () => Promise<RunResult>,
  retries = Number(process.env.ONE_SANDBOX_LOCK_RETRIES ?? 60),
  delayMs = Number(process.env.ONE_SANDBOX_LOCK_DELAY_MS ?? 5_000),
): Promise<RunResult> {
  for (let i = 0; ; i++) {
    const r = await attempt();
    if (!isLocked(r) || i >= retries) return r;
    await new Promise((res) => setTimeout(res, delayMs));
  }
}
