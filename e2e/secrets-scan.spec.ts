/*
 * Secrets (issue 12, part 2), checked after every other spec has run (its project depends on
 * theirs): during the whole run, no process's command line, no HTTP response, no line of the app's
 * log and no byte of its SQLite database held the restic password, the session secret or a demo
 * password — searched as is, base64 and URL-encoded.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sandboxPaths } from '../sandbox/common/state';
import { test, expect } from './fixtures';
import { loadSandbox } from './sandbox-env';
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

const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);

test('the scans knew every secret', () => {
  const names = readSecrets(secretsFile(loadSandbox().stateDir)).map((s) => s.name);
  expect(names).toEqual(expect.arrayContaining(['the restic password', 'the session secret']));
  expect(names.filter((n) => n.startsWith('the password of ')).length).toBeGreaterThanOrEqual(2);
});

test('no process command line held a secret during the run', async () => {
  const { stateDir } = loadSandbox();
  const stats = JSON.parse(readFileSync(cmdlineStatsFile(stateDir), 'utf8')) as {
    samples: number;
    commandLines: number;
  };
  expect(stats.samples).toBeGreaterThan(100);
  expect(lines(cmdlineHitsFile(stateDir))).toEqual([]);
});

test('no HTTP response held a secret', () => {
  const { stateDir } = loadSandbox();
  const stats = JSON.parse(readFileSync(httpStatsFile(stateDir), 'utf8')) as { responses: number };
  expect(stats.responses).toBeGreaterThan(500);
  expect(lines(httpHitsFile(stateDir))).toEqual([]);
});

test('the app log and the SQLite database hold no secret', () => {
  const { stateDir } = loadSandbox();
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
});
