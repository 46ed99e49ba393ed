/*
 * The run's process sampler (e2e/support/secrets-sampler.ts) tried on planted secrets, each with a
 * sampler of its own: what the secrets scan (secrets-scan.spec.ts) concludes from the run's sampler
 * holds only if these find what they plant. They need no worker's sandbox, so they run beside the
 * other specs rather than at the end of the run.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlive, startDaemon, stopPid, waitFor } from '../sandbox/common/process';
import { repoRoot } from '../sandbox/common/state';
import { startIsolatedBackupServer } from '../sandbox/backup-server/test-server';
import { test, expect } from './fixtures';
import { SECRETS_SAMPLER } from './sandbox-env';

const lines = (file: string) => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : []);

type SamplerFiles = { secrets: string; hits: string; stats: string };

/** A sampler of its own for one test: its secrets, hits and stats files, and the app it watches. */
function startSamplerUnderTest(name: string, dir: string, files: SamplerFiles, appPidFile: string): number {
  return startDaemon(
    name,
    process.execPath,
    ['--import', 'tsx', SECRETS_SAMPLER, files.secrets, files.hits, files.stats, appPidFile],
    { logFile: join(dir, 'sampler.log'), cwd: repoRoot },
  );
}

/** A figure of the sampler's stats file (written every second once it runs); 0 before or while it is written. */
function statOf(files: SamplerFiles, name: 'samples' | 'sshEnvironments'): number {
  try {
    return (JSON.parse(readFileSync(files.stats, 'utf8')) as Record<string, number>)[name] ?? 0;
  } catch {
    return 0;
  }
}

test('the sampler finds a secret in the environment of a process the app started', async () => {
  // A stand-in "app" (its PID file as global setup hands over the real one) whose child holds a
  // secret in its environment only: the command lines are clean, so only /proc/PID/environ tells.
  // It also runs a stand-in OpenNebula CLI (one-cli.cjs, as the sandbox's) that starts a child of
  // its own: the CLI is Backstone's child and is checked, what it starts is the front-end's work
  // (the real CLI asks oned, whose driver exports the keys to the restic it runs) and is not.
  const dir = mkdtempSync(join(tmpdir(), 'backstone-test-sampler-'));
  const secret = `planted-${process.pid}-${Date.now()}`;
  const cli = join(dir, 'one-cli.cjs');
  const cliChildPid = join(dir, 'cli-child.pid');
  writeFileSync(
    cli,
    `const c = require('node:child_process').spawn('sleep', ['60'], { stdio: 'ignore' });
     require('node:fs').writeFileSync(process.argv[2], String(c.pid));
     process.on('SIGTERM', () => { c.kill(); process.exit(0); }); setTimeout(() => {}, 60000);`,
  );
  const files = { secrets: join(dir, 'secrets.json'), hits: join(dir, 'hits.jsonl'), stats: join(dir, 'stats.json') };
  writeFileSync(files.secrets, JSON.stringify([{ name: 'the planted secret', value: secret }]));
  const app = startDaemon(
    'sampler-stand-in-app',
    process.execPath,
    [
      '-e',
      // The child goes when the stand-in is stopped: nothing is left behind.
      `const cp = require('node:child_process');
       const c = cp.spawn('sleep', ['60'], { stdio: 'ignore' });
       const one = cp.spawn(process.execPath, [process.argv[1], process.argv[2]], { stdio: 'ignore' });
       process.on('SIGTERM', () => { c.kill(); one.kill(); process.exit(0); }); setTimeout(() => {}, 60000)`,
      cli,
      cliChildPid,
    ],
    { logFile: join(dir, 'app.log'), env: { PATH: process.env.PATH, PLANTED: secret } },
  );
  const pidFile = join(dir, 'app.json');
  writeFileSync(pidFile, JSON.stringify({ pid: app, marker: 'setTimeout' }));
  const sampler = startSamplerUnderTest('sampler-under-test', dir, files, pidFile);
  try {
    const found = await waitFor(() => lines(files.hits).length >= 3 && existsSync(cliChildPid), 30_000, 100);
    const hits = lines(files.hits).map((l) => JSON.parse(l) as { pid: number; where: string; secret: string });
    expect(found, `hits: ${JSON.stringify(hits)}`).toBe(true);
    expect(hits.every((h) => h.where === 'environ' && h.secret === 'the planted secret')).toBe(true);
    // The stand-in, its child and the CLI: each found as the app or a descendant.
    expect(hits.some((h) => h.pid === app)).toBe(true);
    expect(hits.filter((h) => h.pid !== app)).toHaveLength(2);
    // Ten more samples after the CLI's child exists: it was seen, and is not Backstone's.
    const fromCli = Number(readFileSync(cliChildPid, 'utf8'));
    const samples = () => statOf(files, 'samples');
    const after = samples() + 10;
    expect(await waitFor(() => samples() >= after, 10_000, 100)).toBe(true);
    expect(
      hits.concat(lines(files.hits).map((l) => JSON.parse(l) as (typeof hits)[number])).map((h) => h.pid),
    ).not.toContain(fromCli);
  } finally {
    await stopPid(sampler, SECRETS_SAMPLER);
    await stopPid(app, 'setTimeout');
    await waitFor(() => !isAlive(app), 5_000);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the sampler finds a secret in the environment of a process an SSH session of the app started', async () => {
  test.setTimeout(180_000);
  // A real sshd on loopback (the sandbox's backup server); a stand-in "app" that opens the SSH
  // connection itself, as lib/exec does (ssh2 inside the app's process), and starts a remote
  // process whose environment only holds the secret: it arrives on stdin, so no command line, no
  // local environment and no argv ever holds it. Only the session's /proc/PID/environ tells.
  const server = await startIsolatedBackupServer();
  const dir = mkdtempSync(join(tmpdir(), 'backstone-test-sampler-ssh-'));
  const secret = `planted-over-ssh-${process.pid}-${Date.now()}`;
  const files = {
    secrets: join(dir, 'secrets.json'),
    hits: join(dir, 'hits.jsonl'),
    stats: join(dir, 'stats.json'),
    planted: join(dir, 'planted.txt'),
    remotePid: join(dir, 'remote-pid.txt'),
  };
  writeFileSync(files.secrets, JSON.stringify([{ name: 'the planted secret', value: secret }]));
  writeFileSync(files.planted, secret, { mode: 0o600 });
  const { info } = server;
  const standIn = `
    const { readFileSync, writeFileSync } = require('node:fs');
    const { Client } = require('ssh2');
    const [host, port, username, identity, planted, pidFile] = process.argv.slice(1);
    const c = new Client();
    c.on('ready', () => {
      // The remote shell reads the secret, exports it and becomes cat, which ends with the channel.
      c.exec('IFS= read -r P; PLANTED="$P"; export PLANTED; unset P; echo "$$"; exec cat', (err, stream) => {
        if (err) { console.error(err); process.exit(1); }
        stream.on('data', (d) => writeFileSync(pidFile, String(d).trim()));
        stream.stderr.on('data', (d) => process.stderr.write(d));
        stream.write(readFileSync(planted, 'utf8') + '\\n');
      });
    });
    c.on('error', (e) => { console.error(e); process.exit(1); });
    process.on('SIGTERM', () => { c.end(); process.exit(0); });
    c.connect({ host, port: Number(port), username, privateKey: readFileSync(identity) });
    setInterval(() => {}, 60000);`;
  const app = startDaemon(
    'sampler-stand-in-ssh-app',
    process.execPath,
    ['-e', standIn, info.host, String(info.port), info.account, info.identity, files.planted, files.remotePid],
    { logFile: join(dir, 'app.log'), cwd: repoRoot, env: { PATH: process.env.PATH } },
  );
  const pidFile = join(dir, 'app.json');
  writeFileSync(pidFile, JSON.stringify({ pid: app, marker: 'ssh2' }));
  const sampler = startSamplerUnderTest('sampler-under-test-ssh', dir, files, pidFile);
  try {
    const started = await waitFor(
      () => existsSync(files.remotePid) && /^\d+$/.test(readFileSync(files.remotePid, 'utf8')),
      60_000,
      100,
    );
    expect(started, `the remote process started: ${lines(join(dir, 'app.log')).join(' | ')}`).toBe(true);
    const remote = Number(readFileSync(files.remotePid, 'utf8'));
    const found = await waitFor(() => lines(files.hits).length >= 1, 30_000, 100);
    const hits = lines(files.hits).map((l) => JSON.parse(l) as { pid: number; where: string; secret: string });
    expect(found, `hits: ${JSON.stringify(hits)}`).toBe(true);
    // Exactly the remote process, through its environment: the stand-in itself and every command line are clean.
    expect(hits).toEqual([expect.objectContaining({ pid: remote, where: 'environ', secret: 'the planted secret' })]);
    await expect.poll(() => statOf(files, 'sshEnvironments'), { timeout: 10_000 }).toBeGreaterThan(0);
  } finally {
    await stopPid(sampler, SECRETS_SAMPLER);
    await stopPid(app, 'ssh2');
    await waitFor(() => !isAlive(app), 5_000);
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the sampler finds a secret in a command line, also one a process takes by exec after it was first read', async () => {
  // A known process's command line is read again only every second sample: an exec must still be
  // seen. The shell is read as it starts (ten samples a second); a second later it execs into a
  // command line that holds the secret, which it had only in its environment (not scanned: it is
  // not Backstone's). Each shell ends with `true`, so bash does not exec its last command itself.
  const dir = mkdtempSync(join(tmpdir(), 'backstone-test-sampler-argv-'));
  const secret = `planted-argv-${process.pid}-${Date.now()}`;
  const files = { secrets: join(dir, 'secrets.json'), hits: join(dir, 'hits.jsonl'), stats: join(dir, 'stats.json') };
  writeFileSync(files.secrets, JSON.stringify([{ name: 'the planted secret', value: secret }]));
  const sampler = startSamplerUnderTest('sampler-under-test', dir, files, join(dir, 'no-app.json'));
  let shell: number | undefined;
  try {
    const samples = () => statOf(files, 'samples');
    // Sampling (its stats are written every second once it runs).
    expect(await waitFor(() => samples() > 0, 30_000, 100)).toBe(true);
    shell = startDaemon('sampler-exec-stand-in', 'bash', ['-c', 'sleep 1; exec bash -c "sleep 30; true" "$PLANTED"'], {
      logFile: join(dir, 'shell.log'),
      env: { PATH: process.env.PATH, PLANTED: secret },
    });
    const found = await waitFor(() => lines(files.hits).length > 0, 10_000, 100);
    const hits = lines(files.hits).map((l) => JSON.parse(l) as { pid: number; where: string; secret: string });
    expect(found, 'no hit within 10 s').toBe(true);
    expect(hits).toEqual([expect.objectContaining({ pid: shell, where: 'cmdline', secret: 'the planted secret' })]);
  } finally {
    // The shell and its sleep: a process group of their own (startDaemon detaches).
    if (shell !== undefined && isAlive(shell)) process.kill(-shell, 'SIGKILL');
    await stopPid(sampler, SECRETS_SAMPLER);
    rmSync(dir, { recursive: true, force: true });
  }
});
