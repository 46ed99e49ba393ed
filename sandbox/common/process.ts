// Process helpers for the sandbox. The sandbox is a separate world from Backstone (it imports
// nothing from lib/), so it has its own small process layer: argv only, never a shell string.
import { execFile, spawn } from 'node:child_process';
import { appendFileSync, openSync, closeSync, readFileSync } from 'node:fs';

export type RunResult = { code: number; stdout: string; stderr: string };

export type RunOptions = {
  input?: string | Buffer;
  env?: Record<string, string | undefined>;
  cwd?: string;
  uid?: number;
  gid?: number;
  timeoutMs?: number;
};

/** Runs a command to completion and returns its exit code and output; never throws on exit code. */
export function run(file: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      file,
      args,
      {
        env: (opts.env ?? process.env) as NodeJS.ProcessEnv,
        cwd: opts.cwd,
        uid: opts.uid,
        gid: opts.gid,
        timeout: opts.timeoutMs ?? 120_000,
        maxBuffer: 256 * 1024 * 1024,
        encoding: 'utf8',
      },
      (err, stdout, stderr) => {
        if (err && typeof (err as NodeJS.ErrnoException).code === 'string') {
          reject(err);
          return;
        }
        const code = err ? ((err as { code?: number }).code ?? 1) : 0;
        resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
      },
    );
    if (opts.input !== undefined) child.stdin?.end(opts.input);
    else child.stdin?.end();
  });
}

/** Like run() but throws with the command's stderr when it exits non-zero. */
export async function runOk(file: string, args: readonly string[], opts: RunOptions = {}): Promise<string> {
  const r = await run(file, args, opts);
  if (r.code !== 0) {
    throw new Error(`${file} ${args.join(' ')} exited ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`);
  }
  return r.stdout;
}

export type DaemonOptions = {
  logFile: string;
  uid?: number;
  gid?: number;
  env?: Record<string, string | undefined>;
  cwd?: string;
};

/**
 * Starts a long-running process detached from this one (its own process group), with output to a
 * log file, and returns its PID. The PID is recorded in the test PID registry when one is set.
 */
export function startDaemon(name: string, file: string, args: readonly string[], opts: DaemonOptions): number {
  const fd = openSync(opts.logFile, 'a', 0o640);
  try {
    const child = spawn(file, args, {
      detached: true,
      stdio: ['ignore', fd, fd],
      uid: opts.uid,
      gid: opts.gid,
      env: (opts.env ?? process.env) as NodeJS.ProcessEnv,
      cwd: opts.cwd,
    });
    if (child.pid === undefined) throw new Error(`could not start ${file}`);
    child.unref();
    recordPid(child.pid, name);
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

/**
 * Appends a PID to the registry named by BACKSTONE_PID_REGISTRY (the test runner checks them all),
 * with the process's start time so a PID the system later reuses is not mistaken for it.
 */
export function recordPid(pid: number, name: string): void {
  const registry = process.env.BACKSTONE_PID_REGISTRY;
  if (registry) appendFileSync(registry, `${pid}\t${name}\t${startTime(pid) ?? ''}\n`);
}

/** The process's start time in clock ticks since boot (field 22 of /proc/PID/stat). */
export function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

/** True when the PID names a live process (zombies count as gone). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** The process's command line, or undefined when it is gone. */
export function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return undefined;
  }
}

/**
 * Ends a process this sandbox started, by PID, and only when its command line still carries the
 * marker we started it with (so a recycled PID is never killed). Waits for it to be gone.
 */
export async function stopPid(pid: number, marker: string, graceMs = 5_000): Promise<boolean> {
  const cmd = commandLine(pid);
  if (cmd === undefined || !cmd.includes(marker) || !isAlive(pid)) return false;
  process.kill(pid, 'SIGTERM');
  if (await waitFor(() => !isAlive(pid), graceMs)) return true;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    return true;
  }
  return waitFor(() => !isAlive(pid), 2_000);
}

/** Polls a condition every `intervalMs` until it holds or `timeoutMs` passes. */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  intervalMs = 25,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
