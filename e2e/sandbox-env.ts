// Where the end-to-end run's sandboxes live; shared by global setup and teardown, the worker
// fixture and the specs. Global setup makes the run folder in Playwright's main process before the
// workers start, so the workers inherit BACKSTONE_E2E_RUN_DIR; each worker then starts its own
// sandbox (e2e/support/worker-sandbox.ts) and puts it in its own environment for loadSandbox().
import { appendFileSync, chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SeedReport } from '../sandbox/seed/seed-demo-cloud';

const SANDBOX_VAR = 'BACKSTONE_E2E_SANDBOX';
const RUN_VAR = 'BACKSTONE_E2E_RUN_DIR';

export type E2eAccount = { name: string; password: string; role: 'admin' | 'user'; oneAuth: string };
/** baseURL: the app behind the worker's secret-scanning proxy (what specs use); appURL: the app itself. */
export type E2eSandbox = {
  stateDir: string;
  baseURL: string;
  appURL: string;
  accounts: E2eAccount[];
  seed: SeedReport;
};

export function setRunDir(dir: string): void {
  process.env[RUN_VAR] = dir;
}

export function runDir(): string {
  const v = process.env[RUN_VAR];
  if (!v) throw new Error('the end-to-end run folder is not set (global setup did not run)');
  return v;
}

/** The run's process sampler, and where global setup keeps its PID for teardown. */
export const SECRETS_SAMPLER = join(import.meta.dirname, 'support', 'secrets-sampler.ts');
export const samplerPidFile = () => join(runDir(), 'secrets-sampler.pid');

/** The list of every state folder a worker of this run used: the sampler, the secrets scan and teardown read it. */
const stateDirList = () => join(runDir(), 'state-dirs');

/**
 * The state folder of the worker in slot `slot` (Playwright's parallelIndex: a worker restarted after
 * a failure gets its predecessor's folder, already seeded). BACKSTONE_E2E_STATE_DIR reuses one
 * (seeded once) while iterating on specs: slot 0 uses it as is, other slots a sibling `-N` folder.
 */
export function workerStateDir(slot: number): string {
  const reuse = process.env.BACKSTONE_E2E_STATE_DIR;
  const dir = reuse ? (slot === 0 ? reuse : `${reuse}-${slot}`) : join(runDir(), `w${slot}`);
  // 0755: the backup account (another user when the run is root's) reads the sandbox's files.
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  chmodSync(dir, 0o755);
  if (!runStateDirs().includes(dir)) appendFileSync(stateDirList(), `${dir}\n`);
  return dir;
}

export function runStateDirs(): string[] {
  const file = stateDirList();
  return existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];
}

export function saveSandbox(s: E2eSandbox): void {
  process.env[SANDBOX_VAR] = JSON.stringify(s);
}

export function loadSandbox(): E2eSandbox {
  const v = process.env[SANDBOX_VAR];
  if (!v) throw new Error('this worker has no end-to-end sandbox (the worker fixture did not start one)');
  return JSON.parse(v) as E2eSandbox;
}

export function account(role: 'admin' | 'user'): E2eAccount {
  const a = loadSandbox().accounts.find((x) => x.role === role);
  if (!a) throw new Error(`no ${role} account in the sandbox`);
  return a;
}
