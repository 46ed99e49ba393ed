import 'server-only';
import { createHash } from 'node:crypto';
import { sharedCache } from '@/lib/cache';
import { exec, CommandFailed, serverKey, type SshTarget } from '@/lib/exec';
import type { RepositoryListing } from './repository-listing';

// How much space each repository takes on the backup server. `du` has to walk every data/ folder
// (256 per repository: 51,200 for 200 repositories, most of a second), so sizes are kept per
// repository and measured again only when something that changes them may have happened:
// - restic adds or removes pack files (data/) only under a lock, and every such command (backup,
//   prune, repair) then writes or rewrites index files, which are named by their content; forget
//   removes snapshot files. So while a repository holds no lock, the same index and snapshot file
//   names mean the same packs.
// - While a repository is locked, work may be under way: its size is measured every time and not
//   kept (it may be mid-prune).
// - Anything else (a folder that is not a repository, files copied by hand) is bounded by MAX_AGE.

const MAX_AGE_MS = 10 * 60_000;
const MAX_ENTRIES = 50_000;

type Entry = { fingerprint: string; bytes: number };

// Values measured here (not reads shared by key): kept with the time they were measured, at most
// MAX_ENTRIES repositories, least recently used out first.
const kept = sharedCache<Entry>('backup-server.stored-sizes', { freshMs: MAX_AGE_MS, max: MAX_ENTRIES });

/** What the repository's size follows, or undefined when it must be measured every time. */
export function sizeFingerprint(repo: RepositoryListing): string | undefined {
  if (!repo.initialized || repo.locks.length > 0) return undefined;
  const hash = createHash('sha256');
  for (const id of [...repo.indexIds].sort()) hash.update(`i${id}\n`);
  for (const id of repo.snapshotIds) hash.update(`s${id}\n`);
  return hash.digest('hex');
}

// A constant script: BASE_PATH arrives as $1, repository names NUL-separated on stdin.
const DU_SCRIPT = ['cd -- "$1" 2>/dev/null || exit 0', 'du -sbl --files0-from=- 2>/dev/null', 'true'].join('\n');

/** Parses `du -sb` output ("<bytes>\t<name>" per line) (pure; tested). */
export function parseDu(text: string): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const line of text.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab <= 0) continue;
    const bytes = Number(line.slice(0, tab));
    if (Number.isSafeInteger(bytes)) sizes.set(line.slice(tab + 1).replace(/\/+$/, ''), bytes);
  }
  return sizes;
}

function keyOf(server: SshTarget, repo: RepositoryListing): string {
  return `${serverKey(server)}:${repo.path}`;
}

/**
 * Sets storedBytes on every listed repository: from what was kept when its fingerprint is
 * unchanged, otherwise measured with one `du` over all the others in a single round trip.
 */
export async function fillStoredSizes(
  server: SshTarget,
  basePath: string,
  repositories: RepositoryListing[],
  signal?: AbortSignal,
  now = Date.now(),
): Promise<void> {
  const toMeasure: { repo: RepositoryListing; fingerprint?: string }[] = [];
  for (const repo of repositories) {
    const fingerprint = sizeFingerprint(repo);
    const entry = kept.peek(keyOf(server, repo));
    if (fingerprint && entry?.value.fingerprint === fingerprint && now - entry.readAt < MAX_AGE_MS) {
      repo.storedBytes = entry.value.bytes;
    } else {
      toMeasure.push({ repo, fingerprint });
    }
  }
  if (toMeasure.length === 0) return;
  const r = await exec(server, ['sh', '-c', DU_SCRIPT, 'sh', basePath], {
    stdin: toMeasure.map(({ repo }) => `${repo.name}\0`).join(''),
    signal,
    timeoutMs: 60_000,
  });
  if (r.exitCode !== 0) throw new CommandFailed('du', r.exitCode, r.stderr);
  const sizes = parseDu(r.stdout);
  for (const { repo, fingerprint } of toMeasure) {
    const bytes = sizes.get(repo.name);
    repo.storedBytes = bytes ?? 0;
    if (fingerprint && bytes !== undefined) kept.set(keyOf(server, repo), { fingerprint, bytes }, now);
  }
}

/** Forgets every kept size (tests and benchmarks measuring a cold start). */
export function forgetStoredSizes(): void {
  kept.clear();
}
