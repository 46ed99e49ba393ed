// The run folder: each Playwright worker starts its own sandbox in a folder of it (e2e/fixtures.ts),
// and the secrets scan reads every one of them after the other specs. Also starts the run's one
// process sampler (e2e/support/secrets-sampler.ts), which watches every worker's sandbox as it is
// listed; global teardown stops it by PID.
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDaemon } from '../sandbox/common/process';
import { repoRoot } from '../sandbox/common/state';
import { samplerPidFile, SECRETS_SAMPLER, setRunDir } from './sandbox-env';

export default function globalSetup(): void {
  const dir = mkdtempSync(join(tmpdir(), 'backstone-test-e2e-'));
  // 0755: the backup account (another user when the run is root's) reads the sandboxes' files.
  chmodSync(dir, 0o755);
  setRunDir(dir);
  const pid = startDaemon('secrets-sampler', process.execPath, ['--import', 'tsx', SECRETS_SAMPLER, '--run-dir', dir], {
    logFile: join(dir, 'secrets-sampler.log'),
    cwd: repoRoot,
  });
  writeFileSync(samplerPidFile(), String(pid));
}
