// One worker's sandbox: a real backup server, the front-end simulator, the seeded demo cloud and the
// app (`next start` on the shared build), behind a proxy that searches every response for the
// sandbox's secrets. Started on free ports in the worker's own state folder, stopped by PID. The
// run's one process sampler (e2e/global-setup.ts) finds the folder in the run's list and watches it.
import { startFrontend } from '../../sandbox/opennebula/frontend';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { seedDemoCloud, type SeedReport } from '../../sandbox/seed/seed-demo-cloud';
import { startApp } from '../../scripts/app-server';
import { sandboxPaths } from '../../sandbox/common/state';
import { stopSandbox } from '../../sandbox/status';
import type { E2eSandbox } from '../sandbox-env';
import { execFileSync } from 'node:child_process';
import { startScanningProxy } from './scanning-proxy';
import { addSecrets, httpHitsFile, httpStatsFile, secretsFile } from './secrets';

/** The seeded datastore's restic password, read as oneadmin from the front-end (as the specs do). */
function seededPassword(frontend: { commandDir: string; accounts: { role: string; oneAuth: string }[] }, id: number) {
  const oneAuth = frontend.accounts.find((a) => a.role === 'admin')!.oneAuth;
  const xml = execFileSync(join(frontend.commandDir, 'onedatastore'), ['show', '-x', '--decrypt', String(id)], {
    encoding: 'utf8',
    env: { ...process.env, ONE_AUTH: oneAuth },
  });
  return /<RESTIC_PASSWORD><!\[CDATA\[([^\]]*)\]\]><\/RESTIC_PASSWORD>/.exec(xml)![1]!;
}

export type WorkerSandbox = { sandbox: E2eSandbox; stop: () => Promise<void> };

/** Starts (or, in a reused state folder, restarts) the sandbox in `stateDir`; the processes stop by PID. */
export async function startWorkerSandbox(stateDir: string): Promise<WorkerSandbox> {
  try {
    const secrets = secretsFile(stateDir);
    const frontend = await startFrontend(stateDir);
    addSecrets(
      secrets,
      frontend.accounts.map((a) => ({ name: `the password of ${a.name}`, value: a.password })),
    );
    // The session secret Backstone would generate on first use, made here so the scans know it.
    const dataDir = join(sandboxPaths(stateDir).state, 'app-data');
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const sessionSecret = join(dataDir, 'session-secret');
    if (!existsSync(sessionSecret))
      writeFileSync(sessionSecret, randomBytes(32).toString('base64url'), { mode: 0o600 });
    addSecrets(secrets, [{ name: 'the session secret', value: readFileSync(sessionSecret, 'utf8').trim() }]);

    const seeded = await seedDemoCloud(stateDir);
    // Kept beside the state so a reused state folder (BACKSTONE_E2E_STATE_DIR) still knows it.
    const seedFile = join(stateDir, 'e2e-seed.json');
    if (seeded) writeFileSync(seedFile, JSON.stringify(seeded));
    const seed = JSON.parse(readFileSync(seedFile, 'utf8')) as SeedReport;
    addSecrets(secrets, [{ name: 'the restic password', value: seededPassword(frontend, seed.datastoreId) }]);

    const app = await startApp(stateDir);
    const proxy = await startScanningProxy(app.url, {
      secrets,
      hits: httpHitsFile(stateDir),
      stats: httpStatsFile(stateDir),
    });
    return {
      sandbox: { stateDir, baseURL: proxy.url, appURL: app.url, accounts: frontend.accounts, seed },
      stop: async () => {
        await proxy.stop();
        await stopSandbox(stateDir);
      },
    };
  } catch (err) {
    await stopSandbox(stateDir);
    throw err;
  }
}
