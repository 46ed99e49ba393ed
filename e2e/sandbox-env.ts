// Where the end-to-end run's sandbox lives; shared by global setup, teardown and the specs.
import { mkdtempSync, chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const POINTER = join(tmpdir(), `backstone-e2e-${process.ppid}-pointer.json`);

export type E2eSandbox = { stateDir: string; baseURL: string };

export function newStateDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'backstone-test-e2e-'));
  chmodSync(dir, 0o755);
  return dir;
}

export function saveSandbox(s: E2eSandbox): void {
  process.env.BACKSTONE_E2E_STATE = s.stateDir;
  process.env.BACKSTONE_E2E_BASE_URL = s.baseURL;
  writeFileSync(POINTER, JSON.stringify(s));
}

export function loadSandbox(): E2eSandbox {
  if (process.env.BACKSTONE_E2E_STATE && process.env.BACKSTONE_E2E_BASE_URL) {
    return { stateDir: process.env.BACKSTONE_E2E_STATE, baseURL: process.env.BACKSTONE_E2E_BASE_URL };
  }
  return JSON.parse(readFileSync(POINTER, 'utf8')) as E2eSandbox;
}
