// The front-end's state: one JSON document, read without a lock (writes are atomic renames) and
// changed only under the state lock, so concurrent CLI calls and workers never lose an update.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FrontendPaths } from '../paths';
import type { Db } from './types';
import { withLock } from './lock';
import { initialDb } from './initial-db';

export function readDb(paths: FrontendPaths): Db {
  return JSON.parse(readFileSync(paths.db, 'utf8')) as Db;
}

function writeDb(paths: FrontendPaths, db: Db): void {
  const tmp = `${paths.db}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(db));
  renameSync(tmp, paths.db);
}

/** Runs `fn` on the current state under the lock and saves what it leaves in `db`. */
export function withDb<T>(paths: FrontendPaths, fn: (db: Db) => T): T {
  return withLock(paths.lock, () => {
    const db = readDb(paths);
    const result = fn(db);
    writeDb(paths, db);
    return result;
  });
}

/** Creates the state of a fresh front-end (idempotent). */
export function ensureDb(paths: FrontendPaths): void {
  mkdirSync(dirname(paths.db), { recursive: true });
  withLock(paths.lock, () => {
    if (!existsSync(paths.db)) writeDb(paths, initialDb(paths));
  });
}
