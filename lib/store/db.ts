import 'server-only';
import Database from 'better-sqlite3';
import { chmodSync, mkdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { getConfig } from '@/lib/config';
import { processWide } from '@/lib/config/process-wide';
import { logger } from '@/lib/log';
import { MIGRATIONS, type Migration } from './migrations';

// Backstone's embedded SQLite store in the data folder (better-sqlite3 12: 13 crashes on Node 20).

const log = logger('store');

export type Db = Database.Database;

/**
 * The store was written by a newer Backstone (its schema is past every migration this code knows).
 * Running on it could misread or damage what the newer release wrote, so Backstone refuses to start.
 * Not an ExpectedError: it stops Backstone at start, it is never the answer to a request.
 */
export class StoreTooNewError extends Error {
  override name = 'StoreTooNewError';
}

function latestVersion(migrations: readonly Migration[]): number {
  return migrations.reduce((max, m) => Math.max(max, m.version), 0);
}

function tooNew(current: number, known: number, file?: string): StoreTooNewError {
  const where = file ? `The store ${file}` : 'The store';
  return new StoreTooNewError(
    `${where} has schema version ${current}, but this Backstone knows versions up to ${known}: a newer ` +
      'release wrote it. Start that release again (downgrades are not supported), or, to go back to this ' +
      `one, restore the copy Backstone took before upgrading it (${basename(file ?? 'backstone.sqlite')}.v${known}-*.bak).`,
  );
}

/**
 * Brings a database up to the latest migration: forward only, each migration in its own
 * transaction (a failed one leaves the database at the version before it). A database newer than
 * the migrations is refused, untouched.
 */
export function migrate(db: Db, migrations: readonly Migration[] = MIGRATIONS): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  const known = latestVersion(migrations);
  if (current > known) throw tooNew(current, known, db.name === ':memory:' ? undefined : db.name);
  for (const m of migrations) {
    if (m.version <= current) continue;
    db.transaction(() => {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    })();
  }
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Before migrating a store that already holds data, a consistent copy of it (WAL included) beside
 * it, named after the version it had: an upgrade can always be undone by stopping Backstone,
 * unpacking the previous release and putting the copy back.
 */
export function backupBeforeMigrating(
  db: Db,
  file: string,
  migrations: readonly Migration[] = MIGRATIONS,
): string | undefined {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current === 0 || current >= latestVersion(migrations)) return undefined;
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const copy = `${file}.v${current}-${stamp}.bak`;
  db.exec(`VACUUM INTO '${copy.replace(/'/g, "''")}'`);
  chmodSync(copy, 0o600);
  return copy;
}

export function openDb(file: string): Db {
  const db = new Database(file);
  try {
    db.pragma('busy_timeout = 5000');
    // Before anything that could write: a newer release's store is left exactly as it is.
    const current = db.pragma('user_version', { simple: true }) as number;
    if (current > latestVersion(MIGRATIONS)) throw tooNew(current, latestVersion(MIGRATIONS), file);
    db.pragma('journal_mode = WAL');
    db.pragma('foreign_keys = ON');
    const copy = backupBeforeMigrating(db, file);
    const now = migrate(db);
    if (copy) log.info('store upgraded', { from: current, to: now, backup: copy });
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
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
