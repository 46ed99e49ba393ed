import 'server-only';
import type { FileNode, Snapshot } from '@/lib/restic';
import type { Db } from './db';

// Snapshots never change once written, so what restic said about one (its metadata, its file
// list) is cached by repository and snapshot ID forever; only which IDs exist is read fresh.

export function repoKey(server: string, path: string): string {
  return `${server}:${path}`;
}

export function cachedSnapshots(db: Db, key: string, ids: readonly string[]): Map<string, Snapshot> {
  const found = new Map<string, Snapshot>();
  if (ids.length === 0) return found;
  const stmt = db.prepare<[string, string], { data: string }>(
    'SELECT data FROM snapshot_meta WHERE repo_key = ? AND snapshot_id = ?',
  );
  for (const id of ids) {
    const row = stmt.get(key, id);
    if (row) found.set(id, JSON.parse(row.data) as Snapshot);
  }
  return found;
}

export function cacheSnapshots(db: Db, key: string, snapshots: readonly Snapshot[]): void {
  const stmt = db.prepare(
    'INSERT OR REPLACE INTO snapshot_meta (repo_key, snapshot_id, data, cached_at) VALUES (?, ?, ?, ?)',
  );
  const now = Date.now();
  db.transaction(() => {
    for (const s of snapshots) stmt.run(key, s.id, JSON.stringify(s), now);
  })();
}

/** Forgets cached facts of snapshots that no longer exist (after a forget). */
export function dropSnapshots(db: Db, key: string, ids: readonly string[]): void {
  const meta = db.prepare('DELETE FROM snapshot_meta WHERE repo_key = ? AND snapshot_id = ?');
  const files = db.prepare('DELETE FROM snapshot_files WHERE repo_key = ? AND snapshot_id = ?');
  db.transaction(() => {
    for (const id of ids) {
      meta.run(key, id);
      files.run(key, id);
    }
  })();
}

export function cachedFiles(db: Db, key: string, id: string): FileNode[] | undefined {
  const row = db
    .prepare<[string, string], { data: string }>(
      'SELECT data FROM snapshot_files WHERE repo_key = ? AND snapshot_id = ?',
    )
    .get(key, id);
  return row ? (JSON.parse(row.data) as FileNode[]) : undefined;
}

export function cacheFiles(db: Db, key: string, id: string, files: readonly FileNode[]): void {
  db.prepare('INSERT OR REPLACE INTO snapshot_files (repo_key, snapshot_id, data, cached_at) VALUES (?, ?, ?, ?)').run(
    key,
    id,
    JSON.stringify(files),
    Date.now(),
  );
}
