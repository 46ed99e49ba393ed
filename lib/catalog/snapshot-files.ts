import 'server-only';
import { sharedCache, valueWithin } from '@/lib/cache';
import { ls, type FileNode, type ResticRepo } from '@/lib/restic';
import { cachedFiles, cacheFiles, getDb } from '@/lib/store';
import { StillReading } from './shared-reads';
import { keyOf } from './snapshot-facts';
import { SnapshotNotVisible, type SnapshotRef } from './snapshot-resolve';

// A snapshot's files: `restic ls` once per snapshot, kept in the store forever (a snapshot never
// changes); only the snapshot's own files exist.

export type SnapshotFile = {
  path: string;
  name: string;
  size: number;
  mtime?: string;
  kind: 'disk' | 'vm.xml' | 'tpm' | 'other';
  diskId?: number;
  increment?: number;
};

// `restic ls` of a snapshot not cached yet, shared by every viewer while it runs (then the store has it).
const listings = sharedCache<FileNode[]>('catalog.snapshot-nodes', { freshMs: 0, max: 50 });

/**
 * Every node `restic ls` lists, cached by repository and snapshot ID forever. Viewers of the same
 * snapshot share one restic; `signal` ends this caller's wait only.
 */
export async function snapshotNodes(repo: ResticRepo, snapshotId: string, signal?: AbortSignal): Promise<FileNode[]> {
  const db = getDb();
  const key = keyOf(repo);
  const cached = cachedFiles(db, key, snapshotId);
  if (cached) return cached;
  return listings.read(
    `${key}\0${snapshotId}`,
    async () => {
      const nodes = await ls(repo, snapshotId);
      cacheFiles(db, key, snapshotId, nodes);
      return nodes;
    },
    { signal },
  );
}

function fileOf(n: FileNode): SnapshotFile {
  const disk = /^disk\.(\d+)\.(\d+)$/.exec(n.name);
  return {
    path: n.path,
    name: n.name,
    size: n.size,
    ...(n.mtime ? { mtime: n.mtime } : {}),
    kind: disk ? 'disk' : n.name === 'vm.xml' ? 'vm.xml' : /^disk\.tpm/.test(n.name) ? 'tpm' : 'other',
    ...(disk ? { diskId: Number(disk[1]), increment: Number(disk[2]) } : {}),
  };
}

/** The snapshot's regular files (disks, vm.xml, TPM state), with sizes. */
export async function snapshotFiles(ref: SnapshotRef, signal?: AbortSignal): Promise<SnapshotFile[]> {
  const nodes = await snapshotNodes(ref.repo, ref.snapshot.id, signal);
  return nodes
    .filter((n) => n.type === 'file')
    .map(fileOf)
    .sort((a, b) => (a.diskId ?? 1e9) - (b.diskId ?? 1e9) || a.name.localeCompare(b.name));
}

/** snapshotFiles within `waitMs`; StillReading when restic has not listed them by then (it goes on). */
export async function snapshotFilesWithin(
  ref: SnapshotRef,
  waitMs: number,
  signal?: AbortSignal,
): Promise<SnapshotFile[]> {
  const files = await valueWithin(snapshotFiles(ref, signal), waitMs);
  if (!files)
    throw new StillReading(`Still reading the files of snapshot ${ref.snapshot.shortId} from the backup server.`);
  return files;
}

/** A file of the snapshot by its name (disk.0.1, vm.xml): only the snapshot's own files exist. */
export async function snapshotFile(ref: SnapshotRef, name: string, signal?: AbortSignal): Promise<SnapshotFile> {
  const matches = (await snapshotFiles(ref, signal)).filter((f) => f.name === name);
  const file = matches.length === 1 ? matches[0] : undefined;
  if (!file) throw new SnapshotNotVisible(`Snapshot ${ref.snapshot.shortId} has no file ${name}.`);
  return file;
}
