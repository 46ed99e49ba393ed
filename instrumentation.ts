// Next runs register() once per server process, before the first request it answers (server.js
// sends itself one right after it listens, so that is at start).
// - The store opens and migrates here, or the process stops with the reason in the log.
// - server.js's stop (SIGTERM from systemd) reaches the jobs through the hooks set here: it waits
//   for running jobs up to its grace, then marks those still running interrupted before it exits.
// - The alert ticker and the schedules' ticker start here (unref'd timers). Both run only while
//   this front-end is the Raft leader of its zone (or the only front-end): once per cloud. The
//   schedules stop first thing at a stop (stopSchedules), so no run starts while the process winds
//   down; the alert ticker stops with the jobs.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { openStoreAtStart } = await import('./lib/store/start');
  openStoreAtStart();
  const { jobsInProgress, interruptJobsAtStop } = await import('./lib/jobs/runner');
  const { leaderGate } = await import('./lib/leader');
  const { setAlertGate, startAlertTicker, stopAlertTicker } = await import('./lib/alerts/ticker');
  const { setScheduleGate } = await import('./lib/schedules');
  const { startScheduler, stopScheduler } = await import('./lib/schedules/ticker');
  setAlertGate(leaderGate);
  setScheduleGate(leaderGate);
  startAlertTicker();
  startScheduler();
  (globalThis as Record<symbol, unknown>)[Symbol.for('backstone.stop')] = {
    jobsInProgress,
    interruptJobsAtStop: () => {
      stopAlertTicker();
      return interruptJobsAtStop();
    },
    stopSchedules: stopScheduler,
  };
}
