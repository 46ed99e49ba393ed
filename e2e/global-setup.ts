import { startBackupServer } from '../sandbox/backup-server/index';
import { startApp } from '../scripts/app-server';
import { stopSandbox } from '../sandbox/status';
import { newStateDir, saveSandbox } from './sandbox-env';

export default async function globalSetup(): Promise<void> {
  const stateDir = newStateDir();
  try {
    await startBackupServer(stateDir);
    const app = await startApp(stateDir);
    saveSandbox({ stateDir, baseURL: app.url });
  } catch (err) {
    await stopSandbox(stateDir);
    throw err;
  }
}
