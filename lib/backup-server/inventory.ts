import 'server-only';
import { processWide } from '@/lib/config/process-wide';
import { exec, CommandFailed, type SshTarget } from '@/lib/exec';
import { fillStoredSizes } from './stored-sizes';

// Everything mutable about a datastore's repositories, read in ONE SSH round trip: which
// repositories exist under BASE_PATH (per VM and job_N), the file names in each snapshots/ and
// index/ folder (restic names these files by their content and never changes them, so the names
// alone tell which snapshots exist and whether packs may have changed), the lock files with their
// age, and df. Each repository's size on disk costs a walk of its data/ folders, so it is measured
// only when its files say it may have changed (stored-sizes.ts): then a second round trip.

export type RepositoryKind = { kind: 'vm'; vmId: number } | { kind: 'job'; jobId: number };

export type RepositoryListing = RepositoryKind & {
  name: string;
  path: string;
  initialized: boolean;
  snapshotIds: string[];
  locks: { id: string; modified: number }[];
  /** Names of the files in index/ (content hashes). */
  indexIds: string[];
  storedBytes: number;
};

export type Filesystem = { totalBytes: number; usedBytes: number; availableBytes: number; mountPoint: string };

export type Inventory = {
  basePath: string;
  exists: boolean;
  filesystem?: Filesystem;
  repositories: RepositoryListing[];
};

// A constant script: BASE_PATH arrives as $1 and is never part of the script text; $2, when
// given, is the one repository to list (a name checked by repositoryKind), so find starts there and
// prints paths as given (%p), the same "<repository>/<file>" form as %P from BASE_PATH.
// Repositories, their config, snapshot, index and lock files; data/ and keys/ are skipped. Only a
// lock's age matters, so only locks carry their modification time (the listing stays small).
// The listing is the same from one page load to the next while nothing happens in the
// repositories, and shipping and parsing it (thousands of lines) was most of a warm load. So the
// script sends its MD5 first and the lines only when that differs from the sum we hold ($3, empty
// when we hold none). df is sent every time.
const FIND_ARGS =
  "\\( -name data -o -name keys \\) -prune -o -path '*/locks/*' -printf 'F\\t%y\\t%X\\t%T@\\n' -o -printf 'F\\t%y\\t%X\\n'";
export const INVENTORY_SCRIPT = [
  'cd -- "$1" 2>/dev/null || { echo NOBASE; exit 0; }',
  'echo BASE',
  'df -PB1 -- . | tail -n 1 | sed "s/^/DF\\t/"',
  'if [ -n "$2" ]; then',
  `  listing=$([ -d "$2" ] && find "$2" -maxdepth 2 ${FIND_ARGS.replaceAll('%X', '%p')})`,
  'else',
  `  listing=$(find . -mindepth 1 -maxdepth 3 ${FIND_ARGS.replaceAll('%X', '%P')})`,
  'fi',
  'sum=$(printf "%s\\n" "$listing" | md5sum)',
  'sum=${sum%% *}',
  // Without md5sum the sum is empty: the lines are sent every time.
  'if [ -n "$sum" ] && [ "$sum" = "$3" ]; then',
  '  printf "SAME\\t%s\\n" "$sum"',
  'else',
  '  printf "LIST\\t%s\\n%s\\n" "$sum" "$listing"',
  'fi',
].join('\n');

export function repositoryKind(name: string): RepositoryKind | undefined {
  if (/^\d+$/.test(name)) return { kind: 'vm', vmId: Number(name) };
  const job = /^job_(\d+)$/.exec(name);
  return job?.[1] ? { kind: 'job', jobId: Number(job[1]) } : undefined;
}

const SNAPSHOT_FILE = /^[0-9a-f]{64}$/;

// One collator for every sort: localeCompare with options builds a new one on each call.
const numericOrder = new Intl.Collator('en', { numeric: true });

/** Orders repositories as people count: 2 before 10, VMs before job_N. */
export function byRepositoryName(a: { name: string }, b: { name: string }): number {
  return numericOrder.compare(a.name, b.name);
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

/** The listing's MD5 line: `LIST <sum>` before the lines, `SAME <sum>` instead of them. */
export function parseListingSum(text: string): { sum: string; unchanged: boolean } | undefined {
  const m = /^(LIST|SAME)\t([0-9a-f]{32})$/m.exec(text);
  return m ? { sum: m[2]!, unchanged: m[1] === 'SAME' } : undefined;
}

// The last listing parsed per server, BASE_PATH and repository asked for (a few hundred at most
// in practice; bounded anyway). Repositories are kept frozen and handed out as copies, since
// storedBytes is set on each call's own.
const MAX_LISTINGS = 1_000;
type Listing = { sum: string; repositories: readonly Readonly<RepositoryListing>[] };
const listings = processWide('backup-server.inventory-listings', () => new Map<string, Listing>());

function keep(key: string, sum: string, repositories: readonly RepositoryListing[]): void {
  listings.delete(key);
  listings.set(key, {
    sum,
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
  for (const k of listings.keys()) {
    if (listings.size <= MAX_LISTINGS) break;
    listings.delete(k);
  }
}

/** Forgets every kept listing (the benchmark's cold runs). */
export function forgetListings(): void {
  listings.clear();
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
  const key = `${server.user ?? ''}@${server.host}:${server.port ?? ''}\0${basePath}\0${only ?? ''}`;
  const held = listings.get(key);
  const r = await exec(server, ['sh', '-c', INVENTORY_SCRIPT, 'sh', basePath, only ?? '', held?.sum ?? ''], {
    signal,
    timeoutMs: 30_000,
    maxStdoutBytes: 32 * 1024 * 1024,
  });
  if (r.exitCode !== 0) throw new CommandFailed('sh', r.exitCode, r.stderr);
  const inv = parseInventory(basePath, r.stdout);
  const listed = parseListingSum(r.stdout);
  if (!inv.exists || !listed) listings.delete(key);
  else if (listed.unchanged && held?.sum === listed.sum) inv.repositories = held.repositories.map((x) => ({ ...x }));
  else if (listed.unchanged) throw new CommandFailed('sh', 0, 'the listing was not sent');
  else keep(key, listed.sum, inv.repositories);
  if (inv.repositories.length > 0) await fillStoredSizes(server, basePath, inv.repositories, signal);
  return inv;
}
