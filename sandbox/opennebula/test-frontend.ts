// For integration tests that need a front-end of their own, unseeded, in a new state folder.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { stopSandbox } from '../status';
import { startFrontend, type FrontendInfo } from './frontend';

/**
 * Starts the front-end before the file's tests and stops it by PID, removing its folder, after
 * them. Read `stateDir` and `info` inside the tests.
 */
export function testFrontend(name: string): { stateDir: string; info: FrontendInfo } {
  const world = {} as { stateDir: string; info: FrontendInfo };
  beforeAll(async () => {
    world.stateDir = mkdtempSync(join(tmpdir(), `backstone-${name}-`));
    chmodSync(world.stateDir, 0o755);
    world.info = await startFrontend(world.stateDir);
  }, 170_000);
  afterAll(async () => {
    if (!world.stateDir) return;
    await stopSandbox(world.stateDir);
    rmSync(world.stateDir, { recursive: true, force: true });
  });
  return world;
}
