// Each worker stops its own sandbox; this stops by PID whatever a worker that died left running,
// then removes the run's folders (not a reused BACKSTONE_E2E_STATE_DIR).
import { rmSync } from 'node:fs';
import { stopSandbox } from '../sandbox/status';
import { runDir, runStateDirs } from './sandbox-env';

export default async function globalTeardown(): Promise<void> {
  for (const dir of runStateDirs()) await stopSandbox(dir);
  rmSync(runDir(), { recursive: true, force: true });
}
