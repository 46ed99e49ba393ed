// Gives a test file its own backup server in a fresh state folder, stopped and removed afterwards.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBackupServer, type StartOptions } from './index';
import { stopSandbox } from '../status';
import type { BackupServerInfo } from '../common/info';

export type IsolatedBackupServer = {
  stateDir: string;
  info: BackupServerInfo;
  stop: () => Promise<void>;
};

export async function startIsolatedBackupServer(opts: StartOptions = {}): Promise<IsolatedBackupServer> {
  const stateDir = mkdtempSync(join(tmpdir(), 'backstone-test-'));
  // The backup account (not the test's user) must be able to reach its files inside.
  chmodSync(stateDir, 0o755);
  try {
    const info = await startBackupServer(stateDir, opts);
    return {
      stateDir,
      info,
      stop: async () => {
        await stopSandbox(stateDir);
        rmSync(stateDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await stopSandbox(stateDir);
    rmSync(stateDir, { recursive: true, force: true });
    throw err;
  }
}
