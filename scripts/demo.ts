// The demo: sandbox + app in the foreground until Ctrl-C, then everything it started is stopped.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startFrontend } from '../sandbox/opennebula/frontend';
import { seedDemoCloud } from '../sandbox/seed/seed-demo-cloud';
import { ensureSandboxS3 } from '../sandbox/s3-server/component';
import { isResticVersion } from '../sandbox/common/restic-binaries';
import { defaultStateDir, sandboxPaths } from '../sandbox/common/state';
import { runningPid } from '../sandbox/common/pids';
import { waitFor } from '../sandbox/common/process';
import { sandboxInfo, stopSandbox } from '../sandbox/status';
import { buildApp, buildIsFresh, startApp } from './app-server';
import { DEMO_WEBHOOK_SECRET, startAlertSink, type AlertSink } from './demo-alert-sink';
import { configureDemoWebhook } from './demo-webhook-setup';

const { values } = parseArgs({ options: { state: { type: 'string' }, restic: { type: 'string' } } });
const stateDir = values.state ?? defaultStateDir();
// The demo's webhook receiver lives in this process: it stops with the demo.
let sink: AlertSink | undefined;

// npm and the terminal may both deliver a signal: the first starts the shutdown, later ones wait for it.
let stopping: Promise<never> | undefined;
function shutdown(reason: string): Promise<never> {
  stopping ??= (async () => {
    console.log(`\n${reason}: stopping the demo…`);
    await sink?.close();
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
  const frontend = await startFrontend(stateDir, { resticVersion });
  const server = sandboxInfo(stateDir).backupServer;
  if (server) console.log(`backup server ${server.name} on 127.0.0.1:${server.port} (restic ${server.restic.version})`);
  console.log(`OpenNebula front-end simulator: ${frontend.commandDir}`);
  // The S3 server (moto) for the demo's S3 restic datastore (OpenNebula 7.4), seeded beside the SFTP ones.
  const s3 = await ensureSandboxS3(stateDir);
  console.log(`S3 server (moto) on ${s3.info.endpoint}`);
  const seeded = await seedDemoCloud(stateDir, { s3: true });
  console.log(seeded ? `demo cloud seeded in ${seeded.seconds} s` : 'demo cloud already seeded');
  if (!buildIsFresh()) {
    console.log('building the app…');
    await buildApp();
  }
  const app = await startApp(stateDir);
  // Alerts need a channel to be sent and to show in /alerts' history: a webhook to a sink here,
  // set up through the app's own sign-in and settings actions as an admin would.
  sink = await startAlertSink(join(sandboxPaths(stateDir).state, 'demo-alerts.jsonl'));
  const admin = frontend.accounts.find((a) => a.role === 'admin');
  if (!admin) throw new Error('the front-end has no admin account');
  await configureDemoWebhook(app.url, admin, sink.url, DEMO_WEBHOOK_SECRET);
  console.log(`
Backstone is running at ${app.url}

${frontend.accounts.map((a) => `  Sign in as ${a.role === 'admin' ? 'an admin:    ' : 'a VM owner:  '} ${a.name} / ${a.password}`).join('\n')}
  Sandbox info:   npm run sandbox -- info --json
  App log:        ${app.log}
  Alerts:         webhook to ${sink.url} (secret ${DEMO_WEBHOOK_SECRET}), written to
                  ${sink.file}; sent ones show at ${app.url}/alerts

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
  await sink?.close();
  await stopSandbox(stateDir);
  process.exit(1);
});
