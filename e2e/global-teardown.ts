// Each worker stops its own sandbox; this stops by PID whatever a worker that died left running and
// the run's process sampler, then removes the run's folders (not a reused BACKSTONE_E2E_STATE_DIR).
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { stopPid } from '../sandbox/common/process';
import { stopSandbox } from '../sandbox/status';
import { runDir, runStateDirs, samplerPidFile, SECRETS_SAMPLER } from './sandbox-env';

export default async function globalTeardown(): Promise<void> {
  for (const dir of runStateDirs()) await stopSandbox(dir);
  if (existsSync(samplerPidFile())) await stopPid(Number(readFileSync(samplerPidFile(), 'utf8')), SECRETS_SAMPLER);
  rmSync(runDir(), { recursive: true, force: true });
}
