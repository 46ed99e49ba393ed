import 'server-only';
import { createHash } from 'node:crypto';
import { sharedCache } from '@/lib/cache';
import { processWide } from '@/lib/config/process-wide';
import { exec, CommandFailed, serverKey, type SshTarget } from '@/lib/exec';
import { logger } from '@/lib/log';
import { compareRepositoryNames } from '@/lib/schemas/ids';
import { fillStoredSizes } from './stored-sizes';

// Everything mutable about a datastore's repositories, read in ONE SSH round trip: which
// repositories exist under BASE_PATH (per VM and job_N), the file names in each snapshots/ and
// index/ folder (restic names these files by their content and never changes them, so the names
// alone tell which snapshots exist and whether packs may have changed), the lock files with their
// age, and df. Each repository's size on disk costs a walk of its data/ folders, so it is measured
// only when its files say it may have changed (stored-sizes.ts): then a second round trip.

const log = logger('backup-server');

export type { RepositoryKind, RepositoryListing, Filesystem, Inventory } from './repository-listing';
import type { Filesystem, RepositoryKind, RepositoryListing, Inventory } from './repository-listing';

// A constant script: BASE_PATH arrives as $1 and is never part of the script text; $2, when
// given, is the one repository to list (a name checked by repositoryKind), so find starts there and
// prints paths as given (%p), the same "<repository>/<file>" form as %P from BASE_PATH.
// Repositories, their config, snapshot, index and lock files; data/ and keys/ are skipped. Only a
// lock's age matters, so only locks carry their modification time (the listing stays small).
//
// The listing is the same from one page load to the next while nothing happens in the
// repositories, and walking, shipping and parsing it (thousands of files) was most of a warm load.
// Every file it holds is created, removed or renamed inside one of the folders it walks (restic
// never rewrites a file in place: it writes a temporary one and renames it, and refreshes a lock by
// writing a new one), and each of those changes the folder's modification time. So the script first
// prints the folders alone with their times (the "shape": a few per repository) and sends its MD5;
// when that equals the sum we hold ($3, empty when we hold none or do not trust it), it stops there.
// Otherwise it sends the server's clock, the shape and the full listing. df is sent with every
// answer about the whole datastore (not for one repository: nobody reads it there, and it is two
// more processes on the backup server per repository page).
const WALKED = '\\( -name data -o -name keys \\) -prune -o';
const SHAPE_ARGS = `${WALKED} -type d -printf 'D\\t%T@\\t%X\\n'`;
const FIND_ARGS = `${WALKED} -path '*/locks/*' -printf 'F\\t%y\\t%X\\t%T@\\n' -o -printf 'F\\t%y\\t%X\\n'`;
const one = (args: string) => args.replaceAll('%X', '%p');
const all = (args: string) => args.replaceAll('%X', '%P');
export const INVENTORY_SCRIPT = [
  'cd -- "$1" 2>/dev/null || { echo NOBASE; exit 0; }',
  'echo BASE',
  '[ -n "$2" ] || df -PB1 -- . | sed -n "\\$s/^/DF\\t/p"',
  'now=$(date +%s 2>/dev/null)',
  'if [ -n "$2" ]; then',
  `  shape=$([ -d "$2" ] && find "$2" -maxdepth 1 ${one(SHAPE_ARGS)})`,
  'else',
  `  shape=$(find . -maxdepth 2 ${all(SHAPE_ARGS)})`,
  'fi',
  'sum=$(printf "%s\\n" "$shape" | md5sum)',
  'sum=${sum%% *}',
  // Without md5sum the sum is empty: the lines are sent every time.
  'if [ -n "$sum" ] && [ "$sum" = "$3" ]; then',
  '  printf "SAME\\t%s\\n" "$sum"',
  '  exit 0',
  'fi',
  'if [ -n "$2" ]; then',
  `  listing=$([ -d "$2" ] && find "$2" -maxdepth 2 ${one(FIND_ARGS)})`,
  'else',
  `  listing=$(find . -mindepth 1 -maxdepth 3 ${all(FIND_ARGS)})`,
  'fi',
  'printf "LIST\\t%s\\t%s\\n%s\\n%s\\n" "$sum" "$now" "$shape" "$listing"',
].join('\n');

export function repositoryKind(name: string): RepositoryKind | undefined {
  if (/^\d+$/.test(name)) return { kind: 'vm', vmId: Number(name) };
  const job = /^job_(\d+)$/.exec(name);
  return job?.[1] ? { kind: 'job', jobId: Number(job[1]) } : undefined;
}

const SNAPSHOT_FILE = /^[0-9a-f]{64}$/;

/** Orders repositories as people count: 2 before 10, VMs before job_N. */
export function byRepositoryName(a: { name: string }, b: { name: string }): number {
  return compareRepositoryNames(a.name, b.name);
}

/** Parses the script's output (pure; tested against captured output). */
export function parseInventory(basePath: string, text: string): Inventory {
  const lines = text.split('\n');
  if (lines[0]?.trim() === 'NOBASE') return { basePath, exists: false, repositories: [] };
  const repos = new Map<string, RepositoryListing>();
  const repoOf = (name: string) => {
    let r = repos.get(name);
    if (r) return r;
    const kind = repositoryKind(name);
    if (kind) {
      r = {
        ...kind,
        name,
        path: `${basePath.replace(/\/+$/, '')}/${name}`,
        initialized: false,
        snapshotIds: [],
        locks: [],
        indexIds: [],
        storedBytes: 0,
      };
      repos.set(name, r);
    }
    return r;
  };
  let filesystem: Filesystem | undefined;
  for (const line of lines) {
    const f = line.split('\t');
    if (f[0] === 'DF') {
      const cols = (f[1] ?? '').trim().split(/\s+/);
      filesystem = {
        totalBytes: Number(cols[1]),
        usedBytes: Number(cols[2]),
        availableBytes: Number(cols[3]),
        mountPoint: cols[5] ?? '',
      };
    } else if (f[0] === 'F') {
      const [, type, rel = '', mtime = '0'] = f;
      const parts = rel.split('/');
      const repo = parts[0] ? repoOf(parts[0]) : undefined;
      if (!repo) continue;
      if (parts.length === 2 && parts[1] === 'config' && type === 'f') repo.initialized = true;
      if (parts.length === 3 && type === 'f' && SNAPSHOT_FILE.test(parts[2] ?? '')) {
        if (parts[1] === 'snapshots') repo.snapshotIds.push(parts[2]!);
        if (parts[1] === 'locks') repo.locks.push({ id: parts[2]!, modified: Math.floor(Number(mtime) * 1000) });
        if (parts[1] === 'index') repo.indexIds.push(parts[2]!);
      }
    }
  }
  for (const r of repos.values()) r.snapshotIds.sort();
  const repositories = [...repos.values()].sort(byRepositoryName);
  return { basePath, exists: true, filesystem, repositories };
}

/**
 * How long after a folder last changed its time is trusted to tell the next change apart: file
 * systems keep modification times in steps (a few milliseconds on ext4 or XFS, one or two seconds
 * on some), so a change within the same step as the one before leaves the folder's time as it was.
 * A shape with a folder changed this recently is not held (the next call lists again).
 */
export const SHAPE_SETTLE_SECONDS = 3;

export type ListingSum = {
  sum: string;
  /** SAME: the shape is the one whose sum we sent; the listing was not sent. */
  unchanged: boolean;
  /** LIST: every folder of the shape last changed at least SHAPE_SETTLE_SECONDS before the server's clock. */
  settled: boolean;
};

/** The listing's sum line (`LIST <sum> <server clock>` before the shape and listing, `SAME <sum>` instead of them). */
export function parseListingSum(text: string): ListingSum | undefined {
  const m = /^(LIST|SAME)\t([0-9a-f]{32})(?:\t(\d*))?$/m.exec(text);
  if (!m) return undefined;
  if (m[1] === 'SAME') return { sum: m[2]!, unchanged: true, settled: true };
  const serverNow = m[3] ? Number(m[3]) : NaN;
  let settled = Number.isFinite(serverNow);
  for (const line of text.split('\n')) {
    if (!settled) break;
    if (!line.startsWith('D\t')) continue;
    const changed = Number(line.split('\t')[1]);
    settled = Number.isFinite(changed) && changed <= serverNow - SHAPE_SETTLE_SECONDS;
  }
  return { sum: m[2]!, unchanged: false, settled };
}

// The last listing parsed per server, BASE_PATH and repository asked for (a few hundred at most
// in practice; bounded anyway). Repositories are kept frozen and handed out as copies, since
// storedBytes is set on each call's own.
const MAX_LISTINGS = 1_000;
/**
 * A held listing is trusted for this long; then the files are walked again whatever the shape says,
 * and a listing that changed under an unchanged shape shows a file system that does not keep
 * folder times (some network and FUSE mounts): from then on its listing is sent every time.
 */
export const FULL_LISTING_EVERY_MS = 60_000;
type Listing = {
  sum: string;
  settled: boolean;
  listedAt: number;
  /** Hash of the shape and the listing as sent. */
  content: string;
  repositories: readonly Readonly<RepositoryListing>[];
};
// Values parsed here (not reads shared by key): the cache's age is not used, `listedAt` says when.
const listings = sharedCache<Listing>('backup-server.inventory-listings', {
  freshMs: FULL_LISTING_EVERY_MS,
  max: MAX_LISTINGS,
});
// Servers and paths whose file system changed a listing without changing a folder's time.
const untrusted = processWide('backup-server.inventory-untrusted', () => new Set<string>());

function keep(key: string, held: Omit<Listing, 'repositories'>, repositories: readonly RepositoryListing[]): void {
  listings.set(key, {
    ...held,
    repositories: repositories.map((r) =>
      Object.freeze({
        ...r,
        snapshotIds: Object.freeze([...r.snapshotIds]) as string[],
        locks: Object.freeze(r.locks.map((l) => Object.freeze({ ...l }))) as RepositoryListing['locks'],
        indexIds: Object.freeze([...r.indexIds]) as string[],
        storedBytes: 0,
      }),
    ),
  });
}

/** Forgets every kept listing (the benchmark's cold runs). */
export function forgetListings(): void {
  listings.clear();
  untrusted.clear();
}

/** What follows the LIST line (the shape and the listing), hashed. */
function contentHash(stdout: string): string {
  const at = stdout.indexOf('\nLIST\t');
  const from = stdout.indexOf('\n', at + 1);
  return createHash('sha256')
    .update(from < 0 ? '' : stdout.slice(from))
    .digest('base64url');
}

/**
 * Lists a datastore's repositories (or only the one named), their snapshot IDs, locks and sizes,
 * and df: one round trip, two when a size has to be measured again.
 */
export async function inventory(
  server: SshTarget,
  basePath: string,
  signal?: AbortSignal,
  only?: string,
): Promise<Inventory> {
  if (!basePath.startsWith('/')) throw new TypeError('BASE_PATH must be absolute');
  if (only !== undefined && !repositoryKind(only)) throw new TypeError(`not a repository name: ${only}`);
  const key = `${serverKey(server)}\0${basePath}\0${only ?? ''}`;
  const held = listings.peek(key)?.value;
  const now = Date.now();
  const trusted =
    held?.settled && !untrusted.has(key) && now - held.listedAt < FULL_LISTING_EVERY_MS ? held : undefined;
  const r = await exec(server, ['sh', '-c', INVENTORY_SCRIPT, 'sh', basePath, only ?? '', trusted?.sum ?? ''], {
    signal,
    timeoutMs: 30_000,
    maxStdoutBytes: 32 * 1024 * 1024,
  });
  if (r.exitCode !== 0) throw new CommandFailed('sh', r.exitCode, r.stderr);
  const inv = parseInventory(basePath, r.stdout);
  const listed = parseListingSum(r.stdout);
  if (!inv.exists || !listed) listings.forget(key);
  else if (listed.unchanged && trusted?.sum === listed.sum)
    inv.repositories = trusted.repositories.map((x) => ({ ...x }));
  else if (listed.unchanged) throw new CommandFailed('sh', 0, 'the listing was not sent');
  else {
    const content = contentHash(r.stdout);
    if (held?.settled && held.sum === listed.sum && held.content !== content && !untrusted.has(key)) {
      untrusted.add(key);
      log.warn('the file system does not change folder times with their files: the inventory walks every file', {
        server: server.host,
        basePath,
      });
    }
    keep(key, { sum: listed.sum, settled: listed.settled, listedAt: now, content }, inv.repositories);
  }
  if (inv.repositories.length > 0) await fillStoredSizes(server, basePath, inv.repositories, signal);
  return inv;
}
