// Next runs register() once per server process, before the first request it answers (server.js
// sends itself one right after it listens, so that is at start). The store opens and migrates
// here, or the process stops with the reason in the log (lib/store/start.ts).
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { openStoreAtStart } = await import('./lib/store/start');
  openStoreAtStart();
}
