/*
 * Secrets (issue 12, part 2), checked after every other spec has run (its project depends on
 * theirs), in the state folder of every worker's sandbox: during the whole run, no process's command line, no environment of a process Backstone
 * started (the app, its children, its SSH sessions on the backup server), no HTTP response, no line of the app's
 * log and no byte of its SQLite database held the restic password, the session secret or a demo
 * password — searched as is, base64 and URL-encoded. That the sampler finds what it should is tried
 * on planted secrets in secrets-sampler.spec.ts.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sandboxPaths } from '../sandbox/common/state';
import { test, expect } from './fixtures';
import { runStateDirs } from './sandbox-env';
import {
  cmdlineHitsFile,
  cmdlineStatsFile,
  findSecrets,
  httpHitsFile,
  httpStatsFile,
  patternsOf,
  readSecrets,
  secretsFile,
} from './support/secrets';

/** Every worker's sandbox of this run: each was scanned with its own secrets. */
function stateDirs(): string[] {
  const dirs = runStateDirs();
  expect(dirs.length, 'no worker sandbox ran before the scan').toBeGreaterThan(0);
  return dirs;
}

const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);

test('the scans knew every secret', () => {
  for (const stateDir of stateDirs()) {
    const names = readSecrets(secretsFile(stateDir)).map((s) => s.name);
    expect(names).toEqual(expect.arrayContaining(['the restic password', 'the session secret']));
    expect(names.filter((n) => n.startsWith('the password of ')).length).toBeGreaterThanOrEqual(2);
  }
});

test('no command line, and no environment of a process Backstone started, held a secret during the run', async () => {
  for (const stateDir of stateDirs()) {
    const stats = JSON.parse(readFileSync(cmdlineStatsFile(stateDir), 'utf8')) as {
      samples: number;
      commandLines: number;
      localEnvironments: number;
      sshEnvironments: number;
    };
    expect(stats.samples, stateDir).toBeGreaterThan(100);
    // The app's own environment and its children's were read (/proc/PID/environ), not only command lines.
    expect(stats.localEnvironments, stateDir).toBeGreaterThan(100);
    // And the environments of what its SSH sessions ran on the backup server (found by the port pair).
    expect(stats.sshEnvironments, stateDir).toBeGreaterThan(0);
    expect(lines(cmdlineHitsFile(stateDir))).toEqual([]);
  }
});

test('no HTTP response held a secret', () => {
  let responses = 0;
  for (const stateDir of stateDirs()) {
    const stats = JSON.parse(readFileSync(httpStatsFile(stateDir), 'utf8')) as { responses: number; encoded: number };
    // Every worker's proxy saw its specs' traffic.
    expect(stats.responses, stateDir).toBeGreaterThan(0);
    // Searched as sent: a secret inside a gzip body would not be found by a byte search.
    expect(stats.encoded, `${stateDir}: responses with a compressed body`).toBe(0);
    responses += stats.responses;
    expect(lines(httpHitsFile(stateDir))).toEqual([]);
  }
  expect(responses).toBeGreaterThan(500);
});

test('the app log and the SQLite database hold no secret', () => {
  for (const stateDir of stateDirs()) expectNoSecretAtRest(stateDir);
});

function expectNoSecretAtRest(stateDir: string): void {
  const state = sandboxPaths(stateDir).state;
  const patterns = readSecrets(secretsFile(stateDir)).flatMap(patternsOf);
  const dataDir = join(state, 'app-data');
  const files = [
    join(state, 'app.log'),
    // The database with its write-ahead log: a row not yet checkpointed lives only there.
    ...readdirSync(dataDir)
      .filter((f) => /\.(db|sqlite)(-wal|-shm)?$/.test(f))
      .map((f) => join(dataDir, f)),
  ];
  expect(files.some((f) => /\.(db|sqlite)$/.test(f))).toBe(true);
  const found = files.flatMap((f) => findSecrets(readFileSync(f), patterns).map((s) => `${f}: ${s}`));
  expect(found).toEqual([]);
}
