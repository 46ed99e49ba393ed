import { startFrontend } from '../sandbox/opennebula/frontend';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { seedDemoCloud, type SeedReport } from '../sandbox/seed/seed-demo-cloud';
import { startApp } from '../scripts/app-server';
import { stopSandbox } from '../sandbox/status';
import { newStateDir, saveSandbox } from './sandbox-env';

// One seeded sandbox (backup server, front-end simulator, demo cloud) and the app for the whole run.
export default async function globalSetup(): Promise<void> {
  const stateDir = newStateDir();
  try {
    const frontend = await startFrontend(stateDir);
    const seeded = await seedDemoCloud(stateDir);
    // Kept beside the state so a reused state folder (BACKSTONE_E2E_STATE_DIR) still knows it.
    const seedFile = join(stateDir, 'e2e-seed.json');
    if (seeded) writeFileSync(seedFile, JSON.stringify(seeded));
    const seed = JSON.parse(readFileSync(seedFile, 'utf8')) as SeedReport;
    const app = await startApp(stateDir);
    saveSandbox({ stateDir, baseURL: app.url, accounts: frontend.accounts, seed });
  } catch (err) {
    await stopSandbox(stateDir);
    throw err;
  }
}
