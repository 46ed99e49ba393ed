// When a schedule runs next: pure, so it is tested with a fake clock.
//
// A schedule runs one interval after its last run started; with no run yet, one interval after it
// was set (an admin who turns verify on is not surprised by a check at once), or at once for a
// default nobody set. A run missed while Backstone was down (or while another run went on) is
// due at once, and runs ONCE: the next one counts from that run, not from the missed slots.

export type DueFacts = {
  enabled: boolean;
  intervalMs: number;
  /** When the schedule was last set by an admin; none for a default. */
  setAt?: number;
  /** When its newest run (scheduled or "… all") started. */
  lastStartedAt?: number;
  /** A run of it has not ended: never two at once. */
  running: boolean;
};

/** When it runs next (possibly in the past: due now), or undefined while it is disabled. */
export function nextRunAt(f: DueFacts): number | undefined {
  if (!f.enabled) return undefined;
  const anchor = f.lastStartedAt ?? f.setAt;
  return anchor === undefined ? 0 : anchor + f.intervalMs;
}

/** Whether it should start now. */
export function isDue(f: DueFacts, now: number): boolean {
  if (f.running) return false;
  const next = nextRunAt(f);
  return next !== undefined && next <= now;
}
