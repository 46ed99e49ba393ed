import 'server-only';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { childEnvironment } from '@/lib/config';
import { redact, registerSecret } from '@/lib/log/redact';
import { Canceled, CommandFailed, type ExecError, TimedOut, Unreachable } from './errors';
import { BoundedBuffer, LineSplitter, TailBuffer } from './output';
import type { ExecOptions, ExecResult, ExecStream } from './types';

const DEFAULT_TIMEOUT_MS = 60_000;
const KILL_GRACE_MS = 3_000;

type Mode = { kind: 'collect' } | { kind: 'stream'; out: PassThrough };

function start(
  argv: readonly string[],
  opts: ExecOptions,
  mode: Mode,
): { done: Promise<ExecResult>; cancel: () => void } {
  const [file, ...args] = argv;
  if (!file) throw new TypeError('an empty command');
  for (const s of opts.secrets ?? []) registerSecret(s);
  const program = file.split('/').pop() ?? file;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  // Its own process group, so ending it also ends anything it started.
  let child: ChildProcessWithoutNullStreams;
  try {
    child = spawn(file, args, {
      shell: false,
      detached: true,
      env: { ...childEnvironment(), ...opts.env } as NodeJS.ProcessEnv,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  } catch (err) {
    // e.g. E2BIG: the arguments are larger than the system accepts.
    const failed = new CommandFailed(program, 126, (err as Error).message);
    return { done: Promise.reject(failed), cancel: () => undefined };
  }

  let stopReason: ExecError | undefined;
  let killTimer: NodeJS.Timeout | undefined;
  const stop = (reason: ExecError) => {
    if (stopReason || child.exitCode !== null || child.pid === undefined) return;
    stopReason = reason;
    const pid = child.pid;
    try {
      process.kill(-pid, 'SIGTERM');
    } catch {
      /* already gone */
    }
    killTimer = setTimeout(() => {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }, KILL_GRACE_MS);
  };

  const timer = setTimeout(() => stop(new TimedOut(program, timeoutMs)), timeoutMs);
  const onAbort = () => stop(new Canceled(program));
  if (opts.signal?.aborted) queueMicrotask(onAbort);
  opts.signal?.addEventListener('abort', onAbort, { once: true });

  const stderr = new TailBuffer();
  const stdout = new BoundedBuffer(opts.maxStdoutBytes ?? 64 * 1024 * 1024, program);
  const lines = opts.onLine ? new LineSplitter(opts.onLine, opts.maxLineLength ?? 1024 * 1024, program) : undefined;
  child.stderr.on('data', (c: Buffer) => stderr.push(c));
  if (mode.kind === 'stream') child.stdout.pipe(mode.out);
  else
    child.stdout.on('data', (c: Buffer) => {
      try {
        if (lines) lines.push(c);
        else stdout.push(c);
      } catch (err) {
        stop(err as ExecError);
      }
    });
  child.stdin.on('error', () => {
    /* the command may exit without reading its stdin */
  });
  child.stdin.end(opts.stdin ?? '');

  const done = new Promise<ExecResult>((resolve, reject) => {
    child.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      // A missing program ends as it does over SSH (the remote shell exits 127), so callers
      // explain it the same way wherever the command runs (e.g. "check the CLI folder setting").
      if (err.code === 'ENOENT') resolve({ exitCode: 127, stdout: '', stderr: `${program}: command not found\n` });
      else reject(new Unreachable('this machine', err.message));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (killTimer) clearTimeout(killTimer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (stopReason) return reject(stopReason);
      try {
        lines?.end();
      } catch (err) {
        return reject(err);
      }
      resolve({
        exitCode: code ?? (signal ? 128 : 1),
        stdout: lines ? '' : stdout.text(),
        stderr: redact(stderr.text(), [...(opts.secrets ?? []), ...(opts.redactHere ?? [])]),
      });
    });
  });
  return { done, cancel: () => stop(new Canceled(program)) };
}

/** Runs a command on this machine (argv, no shell) and returns its exit code and output. */
export function execLocal(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  return start(argv, opts, { kind: 'collect' }).done;
}

/** Runs a command on this machine and hands its stdout over as a stream. */
export function streamLocal(argv: readonly string[], opts: ExecOptions = {}): ExecStream {
  const out = new PassThrough();
  const { done, cancel } = start(argv, opts, { kind: 'stream', out });
  done.catch((err: unknown) => out.destroy(err as Error));
  return { stdout: out, done, cancel };
}
