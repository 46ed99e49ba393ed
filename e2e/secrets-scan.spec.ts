/*
 * Secrets (issue 12, part 2), checked after every other spec has run (its project depends on
 * theirs), in the state folder of every worker's sandbox: during the whole run, no process's command line, no environment of a process Backstone
 * started (the app, its children, its SSH sessions on the backup server), no HTTP response, no line of the app's
 * log and no byte of its SQLite database held the restic password, the session secret or a demo
 * password — searched as is, base64 and URL-encoded.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlive, startDaemon, stopPid, waitFor } from '../sandbox/common/process';
import { repoRoot, sandboxPaths } from '../sandbox/common/state';
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

test('the sampler finds a secret in the environment of a process the app started', async () => {
  // A stand-in "app" (its PID file as global setup hands over the real one) whose child holds a
  // secret in its environment only: the command lines are clean, so only /proc/PID/environ tells.
  const dir = mkdtempSync(join(tmpdir(), 'backstone-test-sampler-'));
  const secret = `planted-${process.pid}-${Date.now()}`;
  const files = { secrets: join(dir, 'secrets.json'), hits: join(dir, 'hits.jsonl'), stats: join(dir, 'stats.json') };
  writeFileSync(files.secrets, JSON.stringify([{ name: 'the planted secret', value: secret }]));
  const app = startDaemon(
    'sampler-stand-in-app',
    process.execPath,
    [
      '-e',
      // The child goes when the stand-in is stopped: nothing is left behind.
      `const c = require('node:child_process').spawn('sleep', ['60'], { stdio: 'ignore' });
       process.on('SIGTERM', () => { c.kill(); process.exit(0); }); setTimeout(() => {}, 60000)`,
    ],
    { logFile: join(dir, 'app.log'), env: { PATH: process.env.PATH, PLANTED: secret } },
  );
  const pidFile = join(dir, 'app.json');
  writeFileSync(pidFile, JSON.stringify({ pid: app, marker: 'setTimeout' }));
  const sampler = startDaemon(
    'sampler-under-test',
    process.execPath,
    [
      '--import',
      'tsx',
      join(repoRoot, 'e2e', 'support', 'secrets-sampler.ts'),
      files.secrets,
      files.hits,
      files.stats,
      pidFile,
    ],
    { logFile: join(dir, 'sampler.log'), cwd: repoRoot },
  );
  try {
    const found = await waitFor(() => lines(files.hits).length >= 2, 30_000, 100);
    const hits = lines(files.hits).map((l) => JSON.parse(l) as { pid: number; where: string; secret: string });
    expect(found, `hits: ${JSON.stringify(hits)}`).toBe(true);
    expect(hits.every((h) => h.where === 'environ' && h.secret === 'the planted secret')).toBe(true);
    // The stand-in and its child both: the child is found as a descendant.
    expect(hits.some((h) => h.pid === app)).toBe(true);
    expect(hits.some((h) => h.pid !== app)).toBe(true);
  } finally {
    await stopPid(sampler, 'secrets-sampler.ts');
    await stopPid(app, 'setTimeout');
    await waitFor(() => !isAlive(app), 5_000);
    rmSync(dir, { recursive: true, force: true });
  }
});

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
    expect(lines(cmdlineHitsFile(stateDir))).toEqual([]);
  }
});

test('no HTTP response held a secret', () => {
  let responses = 0;
  for (const stateDir of stateDirs()) {
    const stats = JSON.parse(readFileSync(httpStatsFile(stateDir), 'utf8')) as { responses: number };
    // Every worker's proxy saw its specs' traffic.
    expect(stats.responses, stateDir).toBeGreaterThan(0);
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
