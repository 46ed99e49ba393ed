// The run folder: each Playwright worker starts its own sandbox in a folder of it (e2e/fixtures.ts),
// and the secrets scan reads every one of them after the other specs.
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setRunDir } from './sandbox-env';

export default function globalSetup(): void {
  const dir = mkdtempSync(join(tmpdir(), 'backstone-test-e2e-'));
  // 0755: the backup account (another user when the run is root's) reads the sandboxes' files.
  chmodSync(dir, 0o755);
  setRunDir(dir);
}
