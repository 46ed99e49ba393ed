// Upgrading Backstone over an existing store: a store made by the previous release's schema (every
// migration but the newest) with jobs, job logs and audit rows is opened by this code, as the server
// does at start. Real SQLite files in a temporary folder.
import Database from 'better-sqlite3';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate, openDb, StoreTooNewError } from './db';
import { MIGRATIONS } from './migrations';

const dir = mkdtempSync(join(tmpdir(), 'backstone-upgrade-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const LATEST = MIGRATIONS.at(-1)!.version;
const PREVIOUS = MIGRATIONS.at(-2)!.version;

/** A store as the previous release left it: its schema, two jobs (one with a log) and two audit rows. */
function previousReleaseStore(name: string): string {
  const file = join(dir, name);
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  expect(migrate(db, MIGRATIONS.slice(0, -1))).toBe(PREVIOUS);
  const job = db.prepare(
    'INSERT INTO jobs (kind, title, actor, server_key, params, status, runner, created_at, finished_at, message) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  job.run(
    'restore-server',
    'Restore VM 42',
    'oneadmin',
    'oneadmin@backup:',
    '{"vm":42}',
    'succeeded',
    'r1',
    1000,
    2000,
    'done',
  );
  job.run('check', 'Check repository 42', 'alice', 'oneadmin@backup:', '{}', 'failed', 'r1', 3000, 4000, 'locked');
  db.prepare('INSERT INTO job_log (job_id, seq, at, line) VALUES (1, 1, 1500, ?)').run('restored disk.0');
  const audit = db.prepare(
    'INSERT INTO audit_log (at, actor, action, target, outcome, detail, address) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  audit.run(1000, 'oneadmin', 'restore', 'vm 42', 'ok', '', '127.0.0.1');
  audit.run(3000, 'alice', 'sign-in', '', 'refused', 'wrong password', '127.0.0.2');
  db.close();
  return file;
}

function contents(db: Database.Database) {
  return {
    jobs: db.prepare('SELECT id, kind, title, actor, status, message FROM jobs ORDER BY id').all(),
    log: db.prepare('SELECT job_id, seq, line FROM job_log').all(),
    audit: db.prepare('SELECT at, actor, action, outcome, detail FROM audit_log ORDER BY id').all(),
  };
}

describe('upgrading the store', () => {
  it('migrates a store of the previous release and keeps its jobs and audit log', () => {
    const file = previousReleaseStore('previous.sqlite');
    const before = new Database(file, { readonly: true });
    const kept = contents(before);
    before.close();
    expect(kept.jobs).toHaveLength(2);

    const db = openDb(file);
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST);
    expect(contents(db)).toEqual(kept);
    db.close();
  });

  it('takes a private copy of the store at its old version first', () => {
    const file = previousReleaseStore('copied.sqlite');
    openDb(file).close();
    const copies = readdirSync(dir).filter((f) => f.startsWith(`copied.sqlite.v${PREVIOUS}-`) && f.endsWith('.bak'));
    expect(copies).toHaveLength(1);
    const copy = join(dir, copies[0]!);
    expect(statSync(copy).mode & 0o777).toBe(0o600);
    const old = new Database(copy, { readonly: true });
    expect(old.pragma('user_version', { simple: true })).toBe(PREVIOUS);
    expect(contents(old).jobs).toHaveLength(2);
    expect(contents(old).audit).toHaveLength(2);
    old.close();
  });

  it('runs each migration once: opening an up-to-date or a new store copies nothing', () => {
    openDb(join(dir, 'new.sqlite')).close();
    openDb(join(dir, 'new.sqlite')).close();
    const file = previousReleaseStore('twice.sqlite');
    openDb(file).close();
    openDb(file).close();
    const copies = readdirSync(dir).filter((f) => /^(new|twice)\.sqlite\.v.*\.bak$/.test(f));
    expect(copies).toEqual([expect.stringMatching(new RegExp(`^twice\\.sqlite\\.v${PREVIOUS}-`))]);
  });

  it('refuses a store written by a newer release, with a clear message, and leaves it untouched', () => {
    const file = join(dir, 'newer.sqlite');
    const db = new Database(file);
    migrate(db);
    db.pragma(`user_version = ${LATEST + 1}`);
    db.close();
    const size = statSync(file).size;

    expect(() => openDb(file)).toThrow(StoreTooNewError);
    expect(() => openDb(file)).toThrow(
      new RegExp(
        `schema version ${LATEST + 1}, but this Backstone knows versions up to ${LATEST}: a newer release wrote it`,
      ),
    );
    const after = new Database(file, { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(LATEST + 1);
    after.close();
    expect(statSync(file).size).toBe(size);
    expect(readdirSync(dir).filter((f) => f.startsWith('newer.sqlite.v'))).toEqual([]);
  });

  it('rolls a failing migration back, leaving the store at the version before it', () => {
    const db = new Database(':memory:');
    migrate(db, MIGRATIONS.slice(0, -1));
    const broken = {
      version: LATEST + 1,
      name: 'broken',
      sql: 'CREATE TABLE half (x INTEGER); SELECT * FROM missing;',
    };
    expect(() => migrate(db, [...MIGRATIONS, broken])).toThrow();
    expect(db.pragma('user_version', { simple: true })).toBe(LATEST);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 'half'").get()).toBeUndefined();
    db.close();
  });
});
