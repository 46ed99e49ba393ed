// Samples every process's command line on the machine, ten times a second, for the whole
// end-to-end run, and records any that holds a secret (names only, never the value). It also reads
// the environment (/proc/PID/environ) of the processes Backstone starts: the app itself, everything
// it runs locally, and every SSH session it opened (found by the client port in SSH_CONNECTION).
// Other processes' environments are not Backstone's: OpenNebula's own driver, for one, exports the
// restic password to the restic it runs.
// Usage: secrets-sampler.ts <secrets file> <hits file> <stats file> <app PID file>; stopped by PID (SIGTERM).
import { appendFileSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { findSecrets, patternsOf, readSecrets } from './secrets';

const [secretsPath, hitsPath, statsPath, appPidPath] = process.argv.slice(2) as [string, string, string, string];
let patterns = readSecrets(secretsPath).flatMap(patternsOf);
let samples = 0;
let commandLines = 0;
/** Environments read of the app and its local descendants, and of its SSH sessions. */
let localEnvironments = 0;
let sshEnvironments = 0;
const reported = new Set<string>();

function read(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined; // gone meanwhile, or not ours to read
  }
}

function appPid(): number | undefined {
  const text = read(appPidPath)?.toString('utf8');
  if (!text) return undefined;
  try {
    const pid = (JSON.parse(text) as { pid?: unknown }).pid;
    return typeof pid === 'number' ? pid : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What a process held when last read, keyed by PID and checked against its command line: an exec
 * changes the command line, and only an exec gives a process a new environment or a new parent
 * worth re-reading (a reparent to init ends the chain either way). Reading every environment ten
 * times a second was most of this sampler's CPU; a cached one is re-scanned only when a new
 * secret arrives.
 */
type Seen = {
  cmd: Buffer;
  parent?: number;
  cmdScannedAt?: number;
  env?: Buffer | null;
  envScannedAt?: number;
  /**
   * Whether it runs in one of the app's SSH sessions, decided once when first seen (its
   * SSH_CONNECTION and the app's connections do not change while it lives): /proc/net/tcp lists
   * every socket of the machine, and reading it ten times a second was most of the sampler's CPU.
   */
  session?: boolean;
};
const seen = new Map<string, Seen>();
let patternsVersion = 0;

function seenOf(pid: string, cmd: Buffer): Seen {
  const s = seen.get(pid);
  if (s && s.cmd.equals(cmd)) return s;
  const fresh: Seen = { cmd, parent: parentOf(pid) };
  seen.set(pid, fresh);
  return fresh;
}

/**
 * The sandbox's OpenNebula CLI (node <state>/opennebula/lib/one-cli.cjs ...). The real CLI asks oned,
 * whose drivers run under oned, never under Backstone; the sandbox's CLI runs the front-end's work
 * (driver scripts, restic with the S3 keys the driver exports to it) in processes it starts itself.
 * The CLI process is Backstone's child and is checked; what it starts is OpenNebula's. (Most calls
 * are answered by the sandbox's CLI service, started with the sandbox, outside Backstone; a wrapper
 * runs the CLI itself when the service is down or for `onevm updateconf`.)
 */
const FRONTEND_CLI = '/one-cli.cjs\0';

function isFrontendCli(cmd: Buffer): boolean {
  return cmd.includes(FRONTEND_CLI);
}

function parentOf(pid: string): number | undefined {
  const stat = read(`/proc/${pid}/stat`)?.toString('utf8');
  if (!stat) return undefined;
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

/**
 * The app's TCP connections as "local port:remote port": an SSH session it opened names both in
 * SSH_CONNECTION. The pair, not the client port alone: the same ephemeral port number is in use at
 * once by connections to other servers (another sandbox's driver, running beside this run).
 */
function portsOf(pid: number): Set<string> {
  const inodes = new Set<string>();
  try {
    for (const fd of readdirSync(`/proc/${pid}/fd`)) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
        if (m) inodes.add(m[1]!);
      } catch {
        // closed meanwhile
      }
    }
  } catch {
    return new Set();
  }
  const ports = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of (read(table)?.toString('utf8') ?? '').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // Connections only (st 0A is a listening socket).
      if (f[9] && inodes.has(f[9]) && f[3] !== '0A')
        ports.add(`${parseInt(f[1]!.split(':').at(-1)!, 16)}:${parseInt(f[2]!.split(':').at(-1)!, 16)}`);
    }
  }
  return ports;
}

function report(pid: string, where: 'cmdline' | 'environ', names: string[], cmd: Buffer | undefined): void {
  for (const name of names) {
    const key = `${pid}:${where}:${name}`;
    if (reported.has(key)) continue;
    reported.add(key);
    // The program's name only: the rest holds the secret.
    const program = cmd?.subarray(0, Math.max(0, cmd.indexOf(0))).toString() || '?';
    appendFileSync(hitsPath, `${JSON.stringify({ pid: Number(pid), where, secret: name, program, at: Date.now() })}\n`);
  }
}

function sample(): void {
  const app = appPid();
  const pids = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  const alive = new Set(pids);
  for (const pid of seen.keys()) if (!alive.has(pid)) seen.delete(pid);
  const states = new Map<string, Seen>();
  for (const pid of pids) {
    const cmd = read(`/proc/${pid}/cmdline`);
    if (!cmd) continue;
    commandLines++;
    // A command line already scanned against these secrets is not scanned again: most processes
    // live across many samples, and scanning each one ten times a second was most of the CPU.
    const state = seenOf(pid, cmd);
    if (state.cmdScannedAt !== patternsVersion) {
      state.cmdScannedAt = patternsVersion;
      report(pid, 'cmdline', findSecrets(cmd, patterns), cmd);
    }
    states.set(pid, state);
  }
  if (app !== undefined) {
    const fromApp = (pid: string): boolean => {
      for (let p: number | undefined = Number(pid), hops = 0; p !== undefined && p > 1 && hops < 64; hops++) {
        if (p === app) return true;
        const state = states.get(String(p));
        // Below the OpenNebula CLI is the front-end's work, not Backstone's (see FRONTEND_CLI).
        if (hops > 0 && state && isFrontendCli(state.cmd)) return false;
        p = state?.parent;
      }
      return false;
    };
    // Read only when a process not yet placed names an SSH connection.
    let appPorts: Set<string> | undefined;
    for (const [pid, state] of states) {
      const local = fromApp(pid);
      if (state.env === undefined) state.env = read(`/proc/${pid}/environ`) ?? null;
      const env = state.env;
      if (!env) continue;
      if (!local && state.session === undefined) {
        // SSH_CONNECTION=<client ip> <client port> <server ip> <server port>
        const ssh = /(?:^|\0)SSH_CONNECTION=\S+ (\d+) \S+ (\d+)/.exec(env.toString('latin1'));
        state.session = ssh !== null && (appPorts ??= portsOf(app)).has(`${ssh[1]!}:${ssh[2]!}`);
      }
      if (!local && !state.session) continue;
      if (local) localEnvironments++;
      else sshEnvironments++;
      if (state.envScannedAt === patternsVersion) continue;
      state.envScannedAt = patternsVersion;
      report(pid, 'environ', findSecrets(env, patterns), state.cmd);
    }
  }
  samples++;
}

const writeStats = () =>
  writeFileSync(
    statsPath,
    JSON.stringify({ samples, commandLines, localEnvironments, sshEnvironments, secrets: patterns.length }),
  );

const timer = setInterval(sample, 100);
const stats = setInterval(() => {
  let next = patterns;
  try {
    next = readSecrets(secretsPath).flatMap(patternsOf);
  } catch {
    // Read while being rewritten: the next second's read has it.
  }
  if (next.length !== patterns.length) patternsVersion++;
  patterns = next;
  writeStats();
}, 1_000);
process.on('SIGTERM', () => {
  clearInterval(timer);
  clearInterval(stats);
  writeStats();
  process.exit(0);
});
