import 'server-only';
import { readFile } from 'node:fs/promises';
import { NodeSSH } from 'node-ssh';
import { getConfig } from '@/lib/config';
import { processWide } from '@/lib/config/process-wide';
import type { ClientChannel } from 'ssh2';
import { AuthFailed, Busy, ExecError, HostKeyChanged, HostKeyUnknown, Unreachable } from './errors';
import { fingerprintOf, isRevoked, knownHostsLine, knownHostsName, parseKnownHosts, pinnedKeys } from './known-hosts';
import { joinArgv } from './quote';
import { Semaphore } from './semaphore';
import { serverKey } from './server-key';
import { resolveHost } from './ssh-config';
import type { Capacity, SshTarget } from './types';

// SSH connections, pooled by host, port, user and capacity class: interactive reads and bulk work
// (downloads, restores, checks) each have their own connection, so a stalled download can never
// hold the channel an overview needs. sshd's MaxSessions (10) is per connection: at most 8
// commands run at once on one, the rest wait in a queue (bounded for bulk work), and the last 2
// sessions are kept for the short control commands (kill) that stop a running command, so a
// cancel is never stuck behind the very commands it has to end.

export const MAX_CHANNELS = 8;
const CONTROL_CHANNELS = 2;
/** Bulk commands waiting for a channel beyond this many are refused with Busy, never queued forever. */
export const MAX_BULK_WAITING = 32;
const BUSY_RETRY_AFTER_S = 30;
const READY_TIMEOUT_MS = 10_000;
const KEEPALIVE_MS = 10_000;
const IDLE_CLOSE_MS = 120_000;

export type ResolvedTarget = {
  /** The name the caller used (may be an ssh_config alias). */
  alias: string;
  host: string;
  port: number;
  user: string;
  identityFile: string;
  knownHostsFile: string;
  /** Names under which known_hosts may pin this server. */
  knownHostsNames: string[];
};

export async function resolveTarget(target: SshTarget): Promise<ResolvedTarget> {
  const { ssh } = getConfig();
  const configText = ssh.configFile ? await readFile(ssh.configFile, 'utf8').catch(() => undefined) : undefined;
  const settings = resolveHost(configText, target.host);
  const port = target.port ?? settings.port;
  const host = settings.hostName;
  const names = [...new Set([knownHostsName(target.host, port), knownHostsName(host, port)])];
  return {
    alias: target.host,
    host,
    port,
    user: target.user ?? settings.user,
    identityFile: settings.identityFiles[0] ?? ssh.identityFile,
    knownHostsFile: ssh.knownHostsFile,
    knownHostsNames: names,
  };
}

type Verdict = { ok: true } | { ok: false; error: ExecError };

/** Decides on a presented host key against known_hosts. */
export function verifyHostKey(knownHostsText: string, r: ResolvedTarget, key: Buffer): Verdict {
  const entries = parseKnownHosts(knownHostsText);
  const fp = fingerprintOf(key);
  if (isRevoked(entries, key)) return { ok: false, error: new HostKeyChanged(r.alias, fp) };
  const pinned = pinnedKeys(entries, r.knownHostsNames);
  if (pinned.length === 0)
    return { ok: false, error: new HostKeyUnknown(r.alias, fp, knownHostsLine(r.knownHostsNames, key)) };
  return pinned.some((e) => e.key.equals(key)) ? { ok: true } : { ok: false, error: new HostKeyChanged(r.alias, fp) };
}

type ExecCallback = (err: Error | undefined, channel: ClientChannel | undefined) => void;
type SshClient = NonNullable<NodeSSH['connection']>;

/**
 * Opens an exec channel, retrying briefly when sshd refuses it: sshd frees a session slot only
 * after both sides closed the channel, so a burst of commands can overlap closing ones and touch
 * MaxSessions even with at most 8 open. Calls ssh2 directly: node-ssh's execCommand adds an
 * 'error' listener to the shared client per call, which piles up while channels are awaited.
 */
export function openChannel(client: SshClient, command: string, cb: ExecCallback, attempt = 0): void {
  client.exec(command, (err: Error | undefined, channel: ClientChannel) => {
    if (err && /open failed/i.test(err.message) && attempt < 20) {
      setTimeout(() => openChannel(client, command, cb, attempt + 1), 25 * (attempt + 1));
      return;
    }
    cb(err, channel);
  });
}

export class Connection {
  /** The channel slots: MAX_CHANNELS at once; bulk waiters beyond MAX_BULK_WAITING are refused. */
  private readonly channels: Semaphore;
  private controlActive = 0;
  private controlWaiting: (() => void)[] = [];
  private readonly pendingSignals = new Map<'INT' | 'KILL', Set<number>>();
  private idleTimer: NodeJS.Timeout | undefined;
  closed = false;

  constructor(
    readonly ssh: NodeSSH,
    readonly target: ResolvedTarget,
    readonly capacity: Capacity,
    private readonly onClose: () => void,
  ) {
    this.channels = new Semaphore(MAX_CHANNELS, {
      maxWaiting: capacity === 'bulk' ? MAX_BULK_WAITING : undefined,
      refuse: () => new Busy(target.alias, BUSY_RETRY_AFTER_S),
      // Nothing running or waiting: the connection closes unless used again within IDLE_CLOSE_MS.
      onIdle: () => {
        this.idleTimer = setTimeout(() => this.close(), IDLE_CLOSE_MS);
        this.idleTimer.unref();
      },
    });
    const client = ssh.connection;
    client?.on('close', () => this.markClosed());
    client?.on('end', () => this.markClosed());
    client?.on('error', () => this.markClosed());
  }

  /**
   * Waits for a free channel slot; the returned function gives it back. A wait ends with Canceled
   * when `signal` aborts, and a bulk command finding the queue full is refused with Busy at once.
   */
  async acquire(what: string, signal?: AbortSignal): Promise<() => void> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    return this.channels.acquire(what, signal);
  }

  /**
   * Sends a signal to a remote process. Signals asked for in the same tick go out as one `kill`,
   * over the sessions kept for control commands (never waiting behind the channel queue).
   */
  signal(pid: number, sig: 'INT' | 'KILL'): void {
    if (this.closed) return;
    let pids = this.pendingSignals.get(sig);
    if (!pids) {
      pids = new Set();
      this.pendingSignals.set(sig, pids);
      setImmediate(() => void this.flushSignal(sig));
    }
    pids.add(pid);
  }

  private async flushSignal(sig: 'INT' | 'KILL'): Promise<void> {
    const pids = [...(this.pendingSignals.get(sig) ?? [])];
    this.pendingSignals.delete(sig);
    if (pids.length === 0 || this.closed) return;
    if (this.controlActive >= CONTROL_CHANNELS) await new Promise<void>((r) => this.controlWaiting.push(r));
    this.controlActive += 1;
    try {
      await new Promise<void>((resolve) => {
        const client = this.ssh.connection;
        if (!client || this.closed) return resolve();
        openChannel(client, joinArgv(['kill', `-${sig}`, ...pids.map(String)]), (err, channel) => {
          if (err || !channel) return resolve();
          channel.on('close', () => resolve());
          // Its output (a PID already gone) is of no interest, but must be read for the channel to close.
          channel.resume();
          channel.stderr.resume();
          channel.end();
        });
      });
    } finally {
      this.controlActive -= 1;
      this.controlWaiting.shift()?.();
    }
  }

  close(): void {
    this.markClosed();
    this.ssh.dispose();
  }

  private markClosed(): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose();
  }
}

const pool = processWide('ssh.pool', () => new Map<string, Promise<Connection>>());

/** One connection per server (as ssh_config resolves it, so two aliases of one server share it) and class. */
export function poolKey(r: Pick<ResolvedTarget, 'host' | 'port' | 'user'>, capacity: Capacity): string {
  return `${serverKey(r)}/${capacity}`;
}

function mapConnectError(err: unknown, r: ResolvedTarget): ExecError {
  if (err instanceof ExecError) return err;
  const e = err as { code?: string; level?: string; message?: string };
  if (e.level === 'client-authentication' || /authentication methods failed/i.test(e.message ?? '')) {
    return new AuthFailed(r.alias, r.user);
  }
  const detail =
    e.code === 'ECONNREFUSED'
      ? 'the connection was refused (is sshd running?)'
      : e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN'
        ? 'its name does not resolve'
        : /timed out/i.test(e.message ?? '')
          ? 'no SSH answer in time'
          : (e.message ?? 'connection failed');
  return new Unreachable(r.alias, detail, { cause: err });
}

async function connect(r: ResolvedTarget, capacity: Capacity): Promise<Connection> {
  const [knownHosts, privateKey] = await Promise.all([
    readFile(r.knownHostsFile, 'utf8').catch(() => ''),
    readFile(r.identityFile, 'utf8').catch(() => {
      throw new AuthFailed(r.alias, r.user);
    }),
  ]);
  let refused: ExecError | undefined;
  const ssh = new NodeSSH();
  try {
    await ssh.connect({
      host: r.host,
      port: r.port,
      username: r.user,
      privateKey,
      readyTimeout: READY_TIMEOUT_MS,
      keepaliveInterval: KEEPALIVE_MS,
      keepaliveCountMax: 3,
      hostVerifier: (key: Buffer) => {
        const verdict = verifyHostKey(knownHosts, r, key);
        if (!verdict.ok) refused = verdict.error;
        return verdict.ok;
      },
    });
  } catch (err) {
    ssh.dispose();
    throw refused ?? mapConnectError(err, r);
  }
  const key = poolKey(r, capacity);
  // ssh2 reports errors on the client too; without a listener they would crash the process.
  ssh.connection?.on('error', () => undefined);
  // Commands are many small request/reply exchanges on one connection: without TCP_NODELAY, Nagle's
  // algorithm holds each small packet until the previous one is acknowledged, and the server's
  // delayed ACK makes that ~40 ms per command.
  ssh.connection?.setNoDelay(true);
  const conn = new Connection(ssh, r, capacity, () => {
    void pool.get(key)?.then(
      (c) => c === conn && pool.delete(key),
      () => undefined,
    );
  });
  return conn;
}

/** A live pooled connection to the target for one capacity class, opened (or reopened) as needed. */
export async function connection(r: ResolvedTarget, capacity: Capacity): Promise<Connection> {
  const key = poolKey(r, capacity);
  const existing = pool.get(key);
  if (existing) {
    const conn = await existing.catch(() => undefined);
    if (conn && !conn.closed) return conn;
    if (pool.get(key) === existing) pool.delete(key);
  }
  const opening = connect(r, capacity);
  pool.set(key, opening);
  opening.catch(() => {
    if (pool.get(key) === opening) pool.delete(key);
  });
  return opening;
}

/** Closes every pooled connection (tests and shutdown). */
export async function closeAll(): Promise<void> {
  const all = [...pool.values()];
  pool.clear();
  for (const p of all) (await p.catch(() => undefined))?.close();
}

/** Connects only far enough to see the server's host key. */
export async function scanKey(r: ResolvedTarget): Promise<Buffer> {
  let seen: Buffer | undefined;
  const ssh = new NodeSSH();
  try {
    await ssh.connect({
      host: r.host,
      port: r.port,
      username: r.user,
      readyTimeout: READY_TIMEOUT_MS,
      tryKeyboard: false,
      hostVerifier: (key: Buffer) => {
        seen = Buffer.from(key);
        return false;
      },
    });
  } catch (err) {
    if (!seen) throw mapConnectError(err, r);
  } finally {
    ssh.dispose();
  }
  if (!seen) throw new Unreachable(r.alias, 'it presented no host key');
  return seen;
}
