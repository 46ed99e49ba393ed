import 'server-only';
import { exec, CommandFailed, type SshTarget } from '@/lib/exec';

// Everything mutable about a datastore's repositories, read in ONE SSH round trip: which
// repositories exist under BASE_PATH (per VM and job_N), the file names in each snapshots/ folder
// (restic names a snapshot file by its ID and never changes it, so the names alone tell which
// snapshots exist), the lock files with their age, each repository's size on disk, and df.

export type RepositoryKind = { kind: 'vm'; vmId: number } | { kind: 'job'; jobId: number };

export type RepositoryListing = RepositoryKind & {
  name: string;
  path: string;
  initialized: boolean;
  snapshotIds: string[];
  locks: { id: string; modified: number }[];
  storedBytes: number;
};

export type Filesystem = { totalBytes: number; usedBytes: number; availableBytes: number; mountPoint: string };

export type Inventory = {
  basePath: string;
  exists: boolean;
  filesystem?: Filesystem;
  repositories: RepositoryListing[];
};

// A constant script: BASE_PATH arrives as $1 and is never part of the script text.
const SCRIPT = [
  'cd -- "$1" 2>/dev/null || { echo NOBASE; exit 0; }',
  'echo BASE',
  'df -PB1 -- . | tail -n 1 | sed "s/^/DF\\t/"',
  // Repositories, their config, snapshot and lock files; data/, index/ and keys/ are skipped.
  "find . -mindepth 1 -maxdepth 3 \\( -name data -o -name index -o -name keys \\) -prune -o -printf 'F\\t%y\\t%P\\t%T@\\n'",
  'for d in */; do [ -d "$d" ] && du -sb -- "$d" | sed "s/^/DU\\t/"; done 2>/dev/null',
  'true',
].join('\n');

export function repositoryKind(name: string): RepositoryKind | undefined {
  if (/^\d+$/.test(name)) return { kind: 'vm', vmId: Number(name) };
  const job = /^job_(\d+)$/.exec(name);
  return job?.[1] ? { kind: 'job', jobId: Number(job[1]) } : undefined;
}

const SNAPSHOT_FILE = /^[0-9a-f]{64}$/;

/** Parses the script's output (pure; tested against captured output). */
export function parseInventory(basePath: string, text: string): Inventory {
  const lines = text.split('\n');
  if (lines[0]?.trim() === 'NOBASE') return { basePath, exists: false, repositories: [] };
  const repos = new Map<string, RepositoryListing>();
  const repoOf = (name: string) => {
    let r = repos.get(name);
    const kind = repositoryKind(name);
    if (!r && kind) {
      r = {
        ...kind,
        name,
        path: `${basePath.replace(/\/+$/, '')}/${name}`,
        initialized: false,
        snapshotIds: [],
        locks: [],
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
      }
    } else if (f[0] === 'DU') {
      // du prints "<bytes>\t<dir>/".
      const [, size = '0', dir = ''] = f;
      const repo = repoOf(dir.replace(/\/+$/, ''));
      if (repo) repo.storedBytes = Number(size) || 0;
    }
  }
  for (const r of repos.values()) r.snapshotIds.sort();
  const repositories = [...repos.values()].sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
  return { basePath, exists: true, filesystem, repositories };
}

/** Lists a datastore's repositories, snapshot IDs, locks, sizes and df in one round trip. */
export async function inventory(server: SshTarget, basePath: string, signal?: AbortSignal): Promise<Inventory> {
  if (!basePath.startsWith('/')) throw new TypeError('BASE_PATH must be absolute');
  const r = await exec(server, ['sh', '-c', SCRIPT, 'sh', basePath], {
    signal,
    timeoutMs: 30_000,
    maxStdoutBytes: 32 * 1024 * 1024,
  });
  if (r.exitCode !== 0) throw new CommandFailed('sh', r.exitCode, r.stderr);
  return parseInventory(basePath, r.stdout);
}
