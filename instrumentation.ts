// Next runs register() once per server process, before the first request it answers (server.js
// sends itself one right after it listens, so that is at start).
// - The store opens and migrates here, or the process stops with the reason in the log.
// - server.js's stop (SIGTERM from systemd) reaches the jobs through the hooks set here: it waits
//   for running jobs up to its grace, then marks those still running interrupted before it exits.
// - The alert ticker starts here (unref'd) and stops with the jobs at shutdown. It evaluates only
//   while this front-end is the Raft leader of its zone (or the only front-end): once per cloud.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { openStoreAtStart } = await import('./lib/store/start');
  openStoreAtStart();
  const { jobsInProgress, interruptJobsAtStop } = await import('./lib/jobs/runner');
  const { leaderGate } = await import('./lib/leader');
  const { setAlertGate, startAlertTicker, stopAlertTicker } = await import('./lib/alerts/ticker');
  setAlertGate(leaderGate);
  startAlertTicker();
  (globalThis as Record<symbol, unknown>)[Symbol.for('backstone.stop')] = {
    jobsInProgress,
    interruptJobsAtStop: () => {
      stopAlertTicker();
      return interruptJobsAtStop();
    },
  };
}
