import 'server-only';
import Database from 'better-sqlite3';
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { getConfig } from '@/lib/config';
import { processWide } from '@/lib/config/process-wide';
import { MIGRATIONS, type Migration } from './migrations';

// Backstone's embedded SQLite store in the data folder (better-sqlite3 12: 13 crashes on Node 20).

export type Db = Database.Database;

/** Brings a database up to the latest migration, each in its own transaction. */
export function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  for (const m of migrations) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return db.pragma('user_version', { simple: true }) as number;
}

export function openDb(file: string): Db {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

// One connection for the whole process, whichever route bundle asks.
const shared = processWide<{ current?: { file: string; db: Db } }>('store.db', () => ({}));

/** The process's connection to the store in the configured data folder. */
export function getDb(): Db {
  const dir = getConfig().dataDir;
  const file = join(dir, 'backstone.sqlite');
  if (shared.current?.file === file) return shared.current.db;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  shared.current?.db.close();
  const db = openDb(file);
  chmodSync(file, 0o600);
  shared.current = { file, db };
  return db;
}

export function closeDb(): void {
  shared.current?.db.close();
  shared.current = undefined;
}
