import 'server-only';
import { readFile } from 'node:fs/promises';
import { NodeSSH } from 'node-ssh';
import { getConfig } from '@/lib/config';
import { processWide } from '@/lib/config/process-wide';
import { AuthFailed, ExecError, HostKeyChanged, HostKeyUnknown, Unreachable } from './errors';
import { fingerprintOf, isRevoked, knownHostsLine, knownHostsName, parseKnownHosts, pinnedKeys } from './known-hosts';
import { resolveHost } from './ssh-config';
import type { SshTarget } from './types';

// SSH connections, pooled by host, port and user. sshd's MaxSessions defaults to 10, so at most 8
// channels run at once on one connection and the rest wait in a queue.

export const MAX_CHANNELS = 8;
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

export class Connection {
  private active = 0;
  private waiting: (() => void)[] = [];
  private idleTimer: NodeJS.Timeout | undefined;
  closed = false;

  constructor(
    readonly ssh: NodeSSH,
    readonly target: ResolvedTarget,
    private readonly onClose: () => void,
  ) {
    const client = ssh.connection;
    client?.on('close', () => this.markClosed());
    client?.on('end', () => this.markClosed());
    client?.on('error', () => this.markClosed());
  }

  /** Waits for a free channel slot; the returned function gives it back. */
  async acquire(): Promise<() => void> {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    if (this.active >= MAX_CHANNELS) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active -= 1;
      this.waiting.shift()?.();
      if (this.active === 0 && this.waiting.length === 0) {
        this.idleTimer = setTimeout(() => this.close(), IDLE_CLOSE_MS);
        this.idleTimer.unref();
      }
    };
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

function poolKey(r: ResolvedTarget): string {
  return `${r.user}@${r.host}:${r.port}`;
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

async function connect(r: ResolvedTarget): Promise<Connection> {
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
  const key = poolKey(r);
  // ssh2 reports errors on the client too; without a listener they would crash the process.
  ssh.connection?.on('error', () => undefined);
  // Commands are many small request/reply exchanges on one connection: without TCP_NODELAY, Nagle's
  // algorithm holds each small packet until the previous one is acknowledged, and the server's
  // delayed ACK makes that ~40 ms per command.
  ssh.connection?.setNoDelay(true);
  const conn = new Connection(ssh, r, () => {
    void pool.get(key)?.then(
      (c) => c === conn && pool.delete(key),
      () => undefined,
    );
  });
  return conn;
}

/** A live pooled connection to the target, opened (or reopened) as needed. */
export async function connection(r: ResolvedTarget): Promise<Connection> {
  const key = poolKey(r);
  const existing = pool.get(key);
  if (existing) {
    const conn = await existing.catch(() => undefined);
    if (conn && !conn.closed) return conn;
    if (pool.get(key) === existing) pool.delete(key);
  }
  const opening = connect(r);
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
