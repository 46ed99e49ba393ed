import 'server-only';
import type { FileNode, Snapshot } from '@/lib/restic';
import type { Db } from './db';
import { processWide } from '@/lib/config/process-wide';

// Snapshots never change once written, so what restic said about one (its metadata, its file
// list) is cached by repository and snapshot ID forever; only which IDs exist is read fresh.

export function repoKey(server: string, path: string): string {
  return `${server}:${path}`;
}

// Parsed snapshots, per open database. Reading 2,000 rows and parsing their JSON was most of a warm
// overview's own time (~25 ms of ~105), and a snapshot never changes, so each is parsed once and
// kept, frozen, as long as its database is open. Bounded: past MAX_PARSED the repositories parsed
// first are let go (they are read from SQLite again when asked for).
const MAX_PARSED = 30_000;
type Parsed = { byRepo: Map<string, Map<string, Snapshot>>; count: number };
// Process-wide like the Db it is keyed on (Next bundles each route separately).
const parsedOf = processWide('store.parsed-snapshots', () => new WeakMap<Db, Parsed>());

function parsed(db: Db): Parsed {
  let p = parsedOf.get(db);
  if (!p) parsedOf.set(db, (p = { byRepo: new Map(), count: 0 }));
  return p;
}

function keep(db: Db, key: string, snapshot: Snapshot): Snapshot {
  const p = parsed(db);
  let repo = p.byRepo.get(key);
  if (!repo) p.byRepo.set(key, (repo = new Map()));
  // Shared between callers from now on: frozen, so a caller that changed one would fail loudly.
  Object.freeze(snapshot.paths);
  Object.freeze(snapshot.tags);
  if (snapshot.summary) Object.freeze(snapshot.summary);
  Object.freeze(snapshot);
  if (!repo.has(snapshot.id)) p.count++;
  repo.set(snapshot.id, snapshot);
  for (const [k, m] of p.byRepo) {
    if (p.count <= MAX_PARSED) break;
    if (k === key) continue;
    p.count -= m.size;
    p.byRepo.delete(k);
  }
  return snapshot;
}

function forget(db: Db, key: string, ids: readonly string[]): void {
  const repo = parsedOf.get(db)?.byRepo.get(key);
  if (!repo) return;
  for (const id of ids) if (repo.delete(id)) parsed(db).count--;
}

/** The cached snapshots among `ids` (shared and frozen: read-only). */
export function cachedSnapshots(db: Db, key: string, ids: readonly string[]): Map<string, Snapshot> {
  const found = new Map<string, Snapshot>();
  if (ids.length === 0) return found;
  const repo = parsedOf.get(db)?.byRepo.get(key);
  let stmt: ReturnType<typeof selectSnapshot> | undefined;
  for (const id of ids) {
    const known = repo?.get(id);
    if (known) {
      found.set(id, known);
      continue;
    }
    stmt ??= selectSnapshot(db);
    const row = stmt.get(key, id);
    if (row) found.set(id, keep(db, key, JSON.parse(row.data) as Snapshot));
  }
  return found;
}

function selectSnapshot(db: Db) {
  return db.prepare<[string, string], { data: string }>(
    'SELECT data FROM snapshot_meta WHERE repo_key = ? AND snapshot_id = ?',
  );
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
  forget(db, key, ids);
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
