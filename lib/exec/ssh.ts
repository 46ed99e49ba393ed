import 'server-only';
import { appendFile, readFile } from 'node:fs/promises';
import { PassThrough } from 'node:stream';
import { redact, registerSecret } from '@/lib/log/redact';
import { Canceled, type ExecError, HostKeyChanged, TimedOut, Unreachable } from './errors';
import { fingerprintOf, knownHostsLine } from './known-hosts';
import { BoundedBuffer, LineSplitter, TailBuffer } from './output';
import { joinArgv } from './quote';
import {
  closeAll,
  connection,
  openChannel,
  resolveTarget,
  scanKey,
  verifyHostKey,
  type ResolvedTarget,
} from './ssh-pool';
import type { ExecOptions, ExecResult, ExecStream, SshTarget } from './types';

const DEFAULT_TIMEOUT_MS = 60_000;
const KILL_GRACE_MS = 5_000;
const PID_MARK = 'BACKSTONE_PID=';

/**
 * The remote command line. The shell reports its PID on stderr and then execs the command, so the
 * PID is the command's own: cancel sends it a signal over a second channel (a signal request on
 * the channel is dropped by ssh2 once stdin is closed, and closing the connection would leave the
 * process running).
 */
export function remoteCommandLine(argv: readonly string[], env?: Readonly<Record<string, string>>): string {
  const envArgs = env ? Object.entries(env).map(([k, v]) => `${k}=${v}`) : [];
  for (const k of Object.keys(env ?? {}))
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k)) throw new TypeError(`bad variable name ${k}`);
  const full = envArgs.length ? ['env', ...envArgs, ...argv] : [...argv];
  return `printf '${PID_MARK}%s\\n' "$$" >&2; exec ${joinArgv(full)}`;
}

type Sink = { kind: 'collect' } | { kind: 'stream'; out: PassThrough };

function run(
  target: SshTarget,
  argv: readonly string[],
  opts: ExecOptions,
  sink: Sink,
): { done: Promise<ExecResult>; cancel: () => void } {
  const program = argv[0]?.split('/').pop() ?? 'command';
  for (const s of opts.secrets ?? []) registerSecret(s);
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  let requestStop: (reason: ExecError) => void = () => undefined;
  let pendingStop: ExecError | undefined;
  // Ends a wait for a channel: a command canceled while queued never starts.
  const stopWaiting = new AbortController();
  const cancel = () => {
    const reason = new Canceled(program);
    pendingStop ??= reason;
    stopWaiting.abort();
    requestStop(reason);
  };
  opts.signal?.addEventListener('abort', cancel, { once: true });
  if (opts.signal?.aborted) cancel();

  const done = (async (): Promise<ExecResult> => {
    const r = await resolveTarget(target);
    const conn = await connection(r, opts.capacity ?? 'interactive');
    const release = await conn.acquire(program, stopWaiting.signal);
    try {
      return await new Promise<ExecResult>((resolve, reject) => {
        const client = conn.ssh.connection;
        if (!client || conn.closed) return reject(new Unreachable(r.alias, 'the connection was lost'));
        let stopReason: ExecError | undefined;
        let remotePid: number | undefined;
        let killTimer: NodeJS.Timeout | undefined;
        let exitCode: number | undefined;

        const killRemote = (sig: 'INT' | 'KILL') => {
          if (remotePid !== undefined) conn.signal(remotePid, sig);
        };
        requestStop = (reason) => {
          if (stopReason) return;
          stopReason = reason;
          killRemote('INT');
          killTimer = setTimeout(() => killRemote('KILL'), KILL_GRACE_MS);
        };
        const timer = setTimeout(() => requestStop(new TimedOut(`${program} on ${r.alias}`, timeoutMs)), timeoutMs);

        openChannel(client, remoteCommandLine(argv, opts.env), (err, channel) => {
          if (err || !channel) {
            clearTimeout(timer);
            return reject(new Unreachable(r.alias, `could not open a channel: ${err?.message ?? 'unknown error'}`));
          }
          const stderr = new TailBuffer();
          let stderrHead = '';
          let pidSeen = false;
          const stdout = new BoundedBuffer(opts.maxStdoutBytes ?? 64 * 1024 * 1024, program);
          const lines = opts.onLine
            ? new LineSplitter(opts.onLine, opts.maxLineLength ?? 1024 * 1024, program)
            : undefined;

          channel.stderr.on('data', (chunk: Buffer) => {
            if (pidSeen) return stderr.push(chunk);
            stderrHead += chunk.toString('utf8');
            const nl = stderrHead.indexOf('\n');
            if (nl === -1) return;
            const first = stderrHead.slice(0, nl);
            if (first.startsWith(PID_MARK)) remotePid = Number(first.slice(PID_MARK.length));
            pidSeen = true;
            const rest = first.startsWith(PID_MARK) ? stderrHead.slice(nl + 1) : stderrHead;
            if (rest) stderr.push(Buffer.from(rest));
            // A cancel that came before the PID was known is carried out now.
            if (pendingStop || opts.signal?.aborted) requestStop(pendingStop ?? new Canceled(program));
          });
          if (sink.kind === 'stream') channel.pipe(sink.out);
          else
            channel.on('data', (chunk: Buffer) => {
              try {
                if (lines) lines.push(chunk);
                else stdout.push(chunk);
              } catch (e) {
                requestStop(e as ExecError);
              }
            });
          channel.on('exit', (code: number | null, signalName?: string) => {
            exitCode = code ?? (signalName ? 128 + (signalName === 'KILL' ? 9 : 2) : 1);
          });
          channel.on('close', () => {
            clearTimeout(timer);
            if (killTimer) clearTimeout(killTimer);
            if (stopReason) return reject(stopReason);
            if (exitCode === undefined)
              return reject(new Unreachable(r.alias, 'the connection was lost while the command ran'));
            try {
              lines?.end();
            } catch (e) {
              return reject(e);
            }
            resolve({
              exitCode,
              stdout: lines ? '' : stdout.text(),
              stderr: redact(stderr.text(), [...(opts.secrets ?? []), ...(opts.redactHere ?? [])]),
            });
          });
          channel.end(opts.stdin ?? '');
          if (pendingStop) requestStop(pendingStop);
        });
      });
    } finally {
      release();
    }
  })();
  void done.then(
    () => opts.signal?.removeEventListener('abort', cancel),
    () => opts.signal?.removeEventListener('abort', cancel),
  );
  return { done, cancel };
}

/** Runs argv on an SSH target (joined by the one quoter) and returns its exit code and output. */
export function execSsh(target: SshTarget, argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  return run(target, argv, opts, { kind: 'collect' }).done;
}

/** Runs argv on an SSH target and hands its stdout over as a stream with backpressure. */
export function streamSsh(target: SshTarget, argv: readonly string[], opts: ExecOptions = {}): ExecStream {
  const out = new PassThrough({ highWaterMark: 1024 * 1024 });
  const { done, cancel } = run(target, argv, opts, { kind: 'stream', out });
  done.catch((err: unknown) => out.destroy(err as Error));
  return { stdout: out, done, cancel };
}

export const closeSshConnections = closeAll;

export type ScannedKey = { host: string; fingerprint: string; keyLine: string; known: 'yes' | 'no' | 'changed' };

/** Reads a server's host key without logging in, and says whether known_hosts pins it. */
export async function scanHostKey(target: SshTarget): Promise<ScannedKey> {
  const r = await resolveTarget(target);
  const key = await scanKey(r);
  return describeKey(r, key, await readFile(r.knownHostsFile, 'utf8').catch(() => ''));
}

function describeKey(r: ResolvedTarget, key: Buffer, knownHostsText: string): ScannedKey {
  const verdict = verifyHostKey(knownHostsText, r, key);
  return {
    host: r.alias,
    fingerprint: fingerprintOf(key),
    keyLine: knownHostsLine(r.knownHostsNames, key),
    known: verdict.ok ? 'yes' : verdict.error instanceof HostKeyChanged ? 'changed' : 'no',
  };
}

/**
 * Pins a server's host key in known_hosts, only when it still presents the key whose fingerprint
 * the admin saw and no other key is pinned for it (a changed key is never replaced silently).
 */
export async function trustHostKey(target: SshTarget, expectedFingerprint: string): Promise<ScannedKey> {
  const r = await resolveTarget(target);
  const key = await scanKey(r);
  const scanned = describeKey(r, key, await readFile(r.knownHostsFile, 'utf8').catch(() => ''));
  if (scanned.fingerprint !== expectedFingerprint) throw new HostKeyChanged(r.alias, scanned.fingerprint);
  if (scanned.known === 'changed') throw new HostKeyChanged(r.alias, scanned.fingerprint);
  if (scanned.known === 'no') await appendFile(r.knownHostsFile, `${scanned.keyLine}\n`, { mode: 0o644 });
  return { ...scanned, known: 'yes' };
}
