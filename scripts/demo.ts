// The demo: sandbox + app in the foreground until Ctrl-C, then everything it started is stopped.
import { spawn } from 'node:child_process';
import { parseArgs } from 'node:util';
import { startBackupServer } from '../sandbox/backup-server/index';
import { isResticVersion } from '../sandbox/common/restic-binaries';
import { defaultStateDir, repoRoot, sandboxPaths } from '../sandbox/common/state';
import { runningPid } from '../sandbox/common/pids';
import { waitFor } from '../sandbox/common/process';
import { stopSandbox } from '../sandbox/status';
import { buildIsFresh, startApp } from './app-server';
import { join } from 'node:path';

const { values } = parseArgs({ options: { state: { type: 'string' }, restic: { type: 'string' } } });
const stateDir = values.state ?? defaultStateDir();

function build(): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(join(repoRoot, 'node_modules', '.bin', 'next'), ['build'], {
      cwd: repoRoot,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
    });
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`next build exited ${code}`))));
  });
}

// npm and the terminal may both deliver a signal: the first starts the shutdown, later ones wait for it.
let stopping: Promise<never> | undefined;
function shutdown(reason: string): Promise<never> {
  stopping ??= (async () => {
    console.log(`\n${reason}: stopping the demo…`);
    const stopped = await stopSandbox(stateDir);
    console.log(stopped.length ? `stopped ${stopped.join(', ')}` : 'nothing was running');
    process.exit(0);
  })();
  return stopping;
}

async function main(): Promise<void> {
  process.on('SIGINT', () => void shutdown('Ctrl-C'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  const resticVersion = values.restic !== undefined && isResticVersion(values.restic) ? values.restic : undefined;
  const server = await startBackupServer(stateDir, { resticVersion });
  console.log(`backup server ${server.name} on 127.0.0.1:${server.port} (restic ${server.restic.version})`);
  if (!buildIsFresh()) {
    console.log('building the app…');
    await build();
  }
  const app = await startApp(stateDir);
  console.log(`
Backstone is running at ${app.url}

  Sign-in:        no sign-in yet (the sign-in issue adds the demo accounts)
  Sandbox info:   npm run sandbox -- info --json
  App log:        ${app.log}

Press Ctrl-C to stop the demo (or run: npm run sandbox -- stop).`);
  // Stay in the foreground while the app runs; if someone stops it from elsewhere, end too.
  const paths = sandboxPaths(stateDir);
  for (;;) {
    await waitFor(() => runningPid(paths, 'app') === undefined, 3_600_000, 1_000);
    if (runningPid(paths, 'app') === undefined) await shutdown('the app stopped');
  }
}

main().catch(async (err: unknown) => {
  console.error(`demo: ${err instanceof Error ? err.message : String(err)}`);
  await stopSandbox(stateDir);
  process.exit(1);
});
