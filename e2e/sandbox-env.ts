// Where the end-to-end run's sandbox lives; shared by global setup, teardown and the specs.
// Global setup runs in Playwright's main process before the workers start, so the workers
// inherit what it puts in the environment.
import { mkdtempSync, chmodSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SeedReport } from '../sandbox/seed/seed-demo-cloud';

const VAR = 'BACKSTONE_E2E_SANDBOX';

export type E2eAccount = { name: string; password: string; role: 'admin' | 'user'; oneAuth: string };
/** baseURL: the app behind the run's secret-scanning proxy (what specs use); appURL: the app itself. */
export type E2eSandbox = {
  stateDir: string;
  baseURL: string;
  appURL: string;
  accounts: E2eAccount[];
  seed: SeedReport;
};

/** A fresh state folder; BACKSTONE_E2E_STATE_DIR reuses one (seeded once) while iterating on specs. */
export function newStateDir(): string {
  const reuse = process.env.BACKSTONE_E2E_STATE_DIR;
  if (reuse) {
    mkdirSync(reuse, { recursive: true, mode: 0o755 });
    return reuse;
  }
  const dir = mkdtempSync(join(tmpdir(), 'backstone-test-e2e-'));
  chmodSync(dir, 0o755);
  return dir;
}

export function saveSandbox(s: E2eSandbox): void {
  process.env[VAR] = JSON.stringify(s);
}

export function loadSandbox(): E2eSandbox {
  const v = process.env[VAR];
  if (!v) throw new Error('the end-to-end sandbox is not running (global setup did not run)');
  return JSON.parse(v) as E2eSandbox;
}

export function account(role: 'admin' | 'user'): E2eAccount {
  const a = loadSandbox().accounts.find((x) => x.role === role);
  if (!a) throw new Error(`no ${role} account in the sandbox`);
  return a;
}
