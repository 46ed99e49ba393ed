// Samples every process's command line on the machine for the whole end-to-end run, and records any
// that holds a secret (names only, never the value): a process is read in the first sample (ten a
// second) that finds it, and again every second sample while it lives, since only an exec changes
// a command line (reading every one ten times a second was most of this sampler's CPU). It also reads
// the environment (/proc/PID/environ) of the processes Backstone starts: the app itself, everything
// it runs locally, and every SSH session it opened (found by the client port in SSH_CONNECTION).
// Other processes' environments are not Backstone's: OpenNebula's own driver, for one, exports the
// restic password to the restic it runs.
// One sampler serves every worker's sandbox of the run ("slots", each with its own secrets, hits,
// stats and app): reading every command line ten times a second was this sampler's CPU, and one
// read serves them all.
// Usage: secrets-sampler.ts <secrets file> <hits file> <stats file> <app PID file> (one slot), or
//        secrets-sampler.ts --run-dir <dir> (a slot per worker state folder the run lists, each
//        found within a second of its listing); stopped by PID (SIGTERM).
import { appendFileSync, existsSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sandboxPaths } from '../../sandbox/common/state';
import { cmdlineHitsFile, cmdlineStatsFile, findSecrets, patternsOf, readSecrets, secretsFile } from './secrets';

type Slot = {
  secretsPath: string;
  hitsPath: string;
  statsPath: string;
  appPidPath: string;
  patterns: { name: string; bytes: Buffer }[];
  /** Bumped when the secrets change: what was scanned against the old list is scanned again. */
  patternsVersion: number;
  samples: number;
  commandLines: number;
  /** Environments read of the app and its local descendants, and of its SSH sessions. */
  localEnvironments: number;
  sshEnvironments: number;
  reported: Set<string>;
};

function slotOf(secretsPath: string, hitsPath: string, statsPath: string, appPidPath: string): Slot {
  return {
    secretsPath,
    hitsPath,
    statsPath,
    appPidPath,
    patterns: [],
    patternsVersion: 0,
    samples: 0,
    commandLines: 0,
    localEnvironments: 0,
    sshEnvironments: 0,
    reported: new Set(),
  };
}

const argv = process.argv.slice(2);
const runDir = argv[0] === '--run-dir' ? argv[1] : undefined;
const slots = new Map<string, Slot>();
if (!runDir) {
  const [secretsPath, hitsPath, statsPath, appPidPath] = argv as [string, string, string, string];
  slots.set(secretsPath, slotOf(secretsPath, hitsPath, statsPath, appPidPath));
}

/** The run's worker state folders (e2e/sandbox-env.ts lists each as its worker starts). */
function discoverSlots(): void {
  if (!runDir) return;
  const list = join(runDir, 'state-dirs');
  if (!existsSync(list)) return;
  for (const dir of readFileSync(list, 'utf8').split('\n').filter(Boolean)) {
    if (slots.has(secretsFile(dir))) continue;
    slots.set(
      secretsFile(dir),
      slotOf(
        secretsFile(dir),
        cmdlineHitsFile(dir),
        cmdlineStatsFile(dir),
        join(sandboxPaths(dir).pidsDir, 'app.json'),
      ),
    );
  }
}

function read(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined; // gone meanwhile, or not ours to read
  }
}

function appPid(slot: Slot): number | undefined {
  const text = read(slot.appPidPath)?.toString('utf8');
  if (!text) return undefined;
  try {
    const pid = (JSON.parse(text) as { pid?: unknown }).pid;
    return typeof pid === 'number' ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** What one slot decided of a process, against the slot's secrets at `patternsVersion`. */
type SlotView = {
  cmdScannedAt?: number;
  envScannedAt?: number;
  /**
   * Whether it runs in one of the slot's app's SSH sessions, decided once when first seen (its
   * SSH_CONNECTION and the app's connections do not change while it lives): /proc/net/tcp lists
   * every socket of the machine, and reading it ten times a second was most of the sampler's CPU.
   */
  session?: boolean;
};

/**
 * What a process held when last read, keyed by PID and checked against its command line: an exec
 * changes the command line, and only an exec gives a process a new environment or a new parent
 * worth re-reading (a reparent to init ends the chain either way). Reading every environment ten
 * times a second was most of this sampler's CPU; a cached one is re-scanned only when a new
 * secret arrives.
 */
type Seen = {
  cmd: Buffer;
  /** The sample that last read the command line. */
  readAt: number;
  parent?: number;
  env?: Buffer | null;
  views: Map<Slot, SlotView>;
};
const seen = new Map<string, Seen>();

/** A process is read again every KNOWN_EVERY samples (5 a second): an exec is seen within 0.2 s. */
const KNOWN_EVERY = 2;
let sampleNo = 0;

function seenOf(pid: string, cmd: Buffer): Seen {
  const s = seen.get(pid);
  if (s && s.cmd.equals(cmd)) {
    s.readAt = sampleNo;
    return s;
  }
  const fresh: Seen = { cmd, readAt: sampleNo, parent: parentOf(pid), views: new Map() };
  seen.set(pid, fresh);
  return fresh;
}

function viewOf(state: Seen, slot: Slot): SlotView {
  let v = state.views.get(slot);
  if (!v) state.views.set(slot, (v = {}));
  return v;
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
 * The machine's TCP connections (not listening sockets): "local port:remote port" -> their socket
 * inodes, as /proc/net/tcp{,6} list them. The tables list every socket of the machine, thousands
 * while the tests run, and reading them at every sample that met a new SSH session was half of the
 * sampler's CPU. They are read again when a pair asked for is not in them (at most once a sample),
 * and at least once a second: a connection whose pair was read is not replaced by a new one with the
 * same two ports within a second (the ephemeral port moves on), so a second-old table still names
 * the right socket.
 */
let connections: { at: number; seq: number; byPair: Map<string, string[]> } | undefined;
const TABLES_FRESH_FOR = 10;
/** Orders the reads of the tables and of open files: an owner is decided from files read after the table. */
let reads = 0;

function readConnections(): void {
  const byPair = new Map<string, string[]>();
  const port = (address: string) => parseInt(address.split(':').at(-1)!, 16);
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of (read(table)?.toString('utf8') ?? '').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // st 0A is a listening socket.
      if (!f[9] || f[3] === '0A') continue;
      const pair = `${port(f[1]!)}:${port(f[2]!)}`;
      byPair.set(pair, [...(byPair.get(pair) ?? []), f[9]]);
    }
  }
  connections = { at: sampleNo, seq: ++reads, byPair };
}

function inodesOfPair(pair: string): string[] {
  const fresh = connections !== undefined && sampleNo - connections.at < TABLES_FRESH_FOR;
  let inodes = fresh ? connections!.byPair.get(pair) : undefined;
  if (inodes === undefined && connections?.at !== sampleNo) {
    readConnections();
    inodes = connections!.byPair.get(pair);
  }
  return inodes ?? [];
}

/** The socket inodes among a process's open files, read again only if older than the tables. */
const socketsRead = new Map<number, { seq: number; inodes: Set<string> }>();

function socketInodesOf(pid: number): Set<string> {
  const known = socketsRead.get(pid);
  if (known && known.seq > (connections?.seq ?? 0)) return known.inodes;
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
    // gone
  }
  socketsRead.set(pid, { seq: ++reads, inodes });
  return inodes;
}

/**
 * Whether `app` holds the TCP connection "client port:server port" that an SSH session names in
 * SSH_CONNECTION. The pair, not the client port alone: the same ephemeral port number is in use at
 * once by connections to other servers (another sandbox's driver, running beside this run). A
 * socket's owner does not change, so each socket is decided once, from the app's open files as
 * read after the table that named the socket.
 */
const ownerOfSocket = new Map<string, boolean>();

function appHoldsConnection(app: number, pair: string): boolean {
  for (const inode of inodesOfPair(pair)) {
    const key = `${app}:${inode}`;
    let held = ownerOfSocket.get(key);
    if (held === undefined) ownerOfSocket.set(key, (held = socketInodesOf(app).has(inode)));
    if (held) return true;
  }
  return false;
}

function report(slot: Slot, pid: string, where: 'cmdline' | 'environ', names: string[], cmd: Buffer | undefined): void {
  for (const name of names) {
    const key = `${pid}:${where}:${name}`;
    if (slot.reported.has(key)) continue;
    slot.reported.add(key);
    // The program's name only: the rest holds the secret.
    const program = cmd?.subarray(0, Math.max(0, cmd.indexOf(0))).toString() || '?';
    appendFileSync(
      slot.hitsPath,
      `${JSON.stringify({ pid: Number(pid), where, secret: name, program, at: Date.now() })}\n`,
    );
  }
}

/** Command lines against every slot's secrets; a command line already scanned against them is not scanned again. */
function scanCommandLines(pids: string[]): Map<string, Seen> {
  const states = new Map<string, Seen>();
  for (const pid of pids) {
    const known = seen.get(pid);
    if (known && sampleNo - known.readAt < KNOWN_EVERY) {
      states.set(pid, known);
      continue;
    }
    const cmd = read(`/proc/${pid}/cmdline`);
    if (!cmd) continue;
    // Most processes live across many samples: scanning each one ten times a second was most of the CPU.
    const state = seenOf(pid, cmd);
    for (const slot of slots.values()) {
      slot.commandLines++;
      const view = viewOf(state, slot);
      if (view.cmdScannedAt === slot.patternsVersion) continue;
      view.cmdScannedAt = slot.patternsVersion;
      report(slot, pid, 'cmdline', findSecrets(cmd, slot.patterns), cmd);
    }
    states.set(pid, state);
  }
  return states;
}

/** The environments of the slot's app, its local descendants and its SSH sessions. */
function scanEnvironments(slot: Slot, app: number, states: Map<string, Seen>): void {
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
  for (const [pid, state] of states) {
    const local = fromApp(pid);
    if (state.env === undefined) state.env = read(`/proc/${pid}/environ`) ?? null;
    const env = state.env;
    if (!env) continue;
    const view = viewOf(state, slot);
    if (!local && view.session === undefined) {
      // SSH_CONNECTION=<client ip> <client port> <server ip> <server port>
      const ssh = /(?:^|\0)SSH_CONNECTION=\S+ (\d+) \S+ (\d+)/.exec(env.toString('latin1'));
      view.session = ssh !== null && appHoldsConnection(app, `${ssh[1]!}:${ssh[2]!}`);
    }
    if (!local && !view.session) continue;
    if (local) slot.localEnvironments++;
    else slot.sshEnvironments++;
    if (view.envScannedAt === slot.patternsVersion) continue;
    view.envScannedAt = slot.patternsVersion;
    report(slot, pid, 'environ', findSecrets(env, slot.patterns), state.cmd);
  }
}

function sample(): void {
  sampleNo++;
  const pids = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  const alive = new Set(pids);
  for (const pid of seen.keys()) if (!alive.has(pid)) seen.delete(pid);
  const states = scanCommandLines(pids);
  for (const slot of slots.values()) {
    const app = appPid(slot);
    if (app !== undefined) scanEnvironments(slot, app, states);
    slot.samples++;
  }
}

function writeStats(slot: Slot): void {
  const { samples, commandLines, localEnvironments, sshEnvironments } = slot;
  writeFileSync(
    slot.statsPath,
    JSON.stringify({ samples, commandLines, localEnvironments, sshEnvironments, secrets: slot.patterns.length }),
  );
}

/** Each slot's secrets, re-read: some exist only once its sandbox is seeded. */
function refreshSecrets(): void {
  discoverSlots();
  for (const slot of slots.values()) {
    let next = slot.patterns;
    try {
      next = readSecrets(slot.secretsPath).flatMap(patternsOf);
    } catch {
      // Read while being rewritten: the next second's read has it.
    }
    if (next.length !== slot.patterns.length) slot.patternsVersion++;
    slot.patterns = next;
    writeStats(slot);
  }
}

refreshSecrets();
const timer = setInterval(sample, 100);
const stats = setInterval(refreshSecrets, 1_000);
process.on('SIGTERM', () => {
  clearInterval(timer);
  clearInterval(stats);
  for (const slot of slots.values()) writeStats(slot);
  process.exit(0);
});
