import { rmSync } from 'node:fs';
import { stopSandbox } from '../sandbox/status';
import { loadSandbox } from './sandbox-env';

export default async function globalTeardown(): Promise<void> {
  const { stateDir } = loadSandbox();
  await stopSandbox(stateDir);
  if (!process.env.BACKSTONE_E2E_STATE_DIR) rmSync(stateDir, { recursive: true, force: true });
}
