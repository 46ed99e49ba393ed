// Next runs register() once per server process, before the first request it answers (server.js
// sends itself one right after it listens, so that is at start).
// - The store opens and migrates here, or the process stops with the reason in the log.
// - server.js's stop (SIGTERM from systemd) reaches the jobs through the hooks set here: it waits
//   for running jobs up to its grace, then marks those still running interrupted before it exits.
// - The schedules' ticker starts here (lib/schedules; its timer never keeps the process alive) and
//   stops first thing at a stop (stopSchedules), so no run starts while the process winds down.
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { openStoreAtStart } = await import('./lib/store/start');
  openStoreAtStart();
  const { jobsInProgress, interruptJobsAtStop } = await import('./lib/jobs/runner');
  const { startScheduler, stopScheduler } = await import('./lib/schedules/ticker');
  startScheduler();
  (globalThis as Record<symbol, unknown>)[Symbol.for('backstone.stop')] = {
    jobsInProgress,
    interruptJobsAtStop,
    stopSchedules: stopScheduler,
  };
}
