// The schema, as an append-only list of migrations. PRAGMA user_version records how far a
// database has come; never edit a migration that has shipped, add a new one.

export type Migration = { version: number; name: string; sql: string };

export const MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'caches of immutable restic facts',
    sql: `
      CREATE TABLE snapshot_meta (
        repo_key    TEXT NOT NULL,
        snapshot_id TEXT NOT NULL,
        data        TEXT NOT NULL,
        cached_at   INTEGER NOT NULL,
        PRIMARY KEY (repo_key, snapshot_id)
      ) WITHOUT ROWID;
      CREATE TABLE snapshot_files (
        repo_key    TEXT NOT NULL,
        snapshot_id TEXT NOT NULL,
        data        TEXT NOT NULL,
        cached_at   INTEGER NOT NULL,
        PRIMARY KEY (repo_key, snapshot_id)
      ) WITHOUT ROWID;
    `,
  },
];
