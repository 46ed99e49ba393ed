import { startFrontend } from '../sandbox/opennebula/frontend';
import { seedDemoCloud } from '../sandbox/seed/seed-demo-cloud';
import { startApp } from '../scripts/app-server';
import { stopSandbox } from '../sandbox/status';
import { newStateDir, saveSandbox } from './sandbox-env';

// One seeded sandbox (backup server, front-end simulator, demo cloud) and the app for the whole run.
export default async function globalSetup(): Promise<void> {
  const stateDir = newStateDir();
  try {
    const frontend = await startFrontend(stateDir);
    await seedDemoCloud(stateDir);
    const app = await startApp(stateDir);
    saveSandbox({ stateDir, baseURL: app.url, accounts: frontend.accounts });
  } catch (err) {
    await stopSandbox(stateDir);
    throw err;
  }
}
