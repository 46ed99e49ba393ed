import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Snapshot } from '@/lib/restic';
import { closeDb, getDb, migrate, openDb } from './db';
import { MIGRATIONS } from './migrations';
import { cachedFiles, cachedSnapshots, cacheFiles, cacheSnapshots, dropSnapshots, repoKey } from './snapshot-cache';
import { resetConfigCache } from '@/lib/config';
import { serverKey } from '@/lib/exec/server-key';

const dir = mkdtempSync(join(tmpdir(), 'backstone-store-'));
afterAll(() => {
  closeDb();
  rmSync(dir, { recursive: true, force: true });
});

const snap = (id: string): Snapshot => ({
  id: id.repeat(64),
  shortId: id.repeat(8),
  time: '2026-11-01T10:00:00Z',
  paths: ['/var/lib/one/datastores/0/42/backup/disk.0.0'],
  hostname: 'kvm1',
  username: 'oneadmin',
  tags: ['one-42'],
});

describe('store', () => {
  it('migrates a new database and is idempotent', () => {
    const db = new Database(':memory:');
    expect(migrate(db)).toBe(MIGRATIONS.at(-1)!.version);
    expect(migrate(db)).toBe(MIGRATIONS.at(-1)!.version);
    db.close();
  });

  it('applies only the migrations a database has not seen', () => {
    const db = new Database(':memory:');
    migrate(db, MIGRATIONS.slice(0, 1));
    const extra = { version: 99, name: 'test', sql: 'CREATE TABLE t (x INTEGER);' };
    expect(migrate(db, [...MIGRATIONS, extra])).toBe(99);
    expect(db.prepare("SELECT name FROM sqlite_master WHERE name = 't'").get()).toBeTruthy();
    db.close();
  });

  it('keeps its file private in the configured data folder', () => {
    process.env.BACKSTONE_DATA_DIR = join(dir, 'data');
    resetConfigCache();
    getDb();
    expect(statSync(join(dir, 'data', 'backstone.sqlite')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'data')).mode & 0o777).toBe(0o700);
  });

  it('caches snapshot metadata and file lists by repository and ID', () => {
    const db = openDb(join(dir, 'cache.sqlite'));
    const key = repoKey('backup.sandbox', '/var/lib/one/datastores/100/42');
    cacheSnapshots(db, key, [snap('a'), snap('b')]);
    const got = cachedSnapshots(db, key, ['a'.repeat(64), 'c'.repeat(64)]);
    expect([...got.keys()]).toEqual(['a'.repeat(64)]);
    expect(got.get('a'.repeat(64))).toEqual(snap('a'));
    expect(cachedSnapshots(db, repoKey('other', '/x'), ['a'.repeat(64)]).size).toBe(0);
    cacheFiles(db, key, 'a'.repeat(64), [{ path: '/x', name: 'x', type: 'file', size: 3 }]);
    expect(cachedFiles(db, key, 'a'.repeat(64))).toHaveLength(1);
    dropSnapshots(db, key, ['a'.repeat(64)]);
    expect(cachedSnapshots(db, key, ['a'.repeat(64)]).size).toBe(0);
    expect(cachedFiles(db, key, 'a'.repeat(64))).toBeUndefined();
    db.close();
  });

  it('parses a cached snapshot once and hands out the same frozen object after', () => {
    const db = openDb(join(dir, 'parsed.sqlite'));
    const key = repoKey('backup.sandbox', '/var/lib/one/datastores/100/43');
    cacheSnapshots(db, key, [snap('a')]);
    const first = cachedSnapshots(db, key, ['a'.repeat(64)]).get('a'.repeat(64))!;
    expect(cachedSnapshots(db, key, ['a'.repeat(64)]).get('a'.repeat(64))).toBe(first);
    expect(Object.isFrozen(first) && Object.isFrozen(first.paths)).toBe(true);
    // A forgotten snapshot is gone from the parsed ones too.
    dropSnapshots(db, key, ['a'.repeat(64)]);
    expect(cachedSnapshots(db, key, ['a'.repeat(64)]).size).toBe(0);
    db.close();
  });

  it('keeps what was cached under the old "user@host" repository keys under serverKey ones', () => {
    const db = new Database(':memory:');
    const v9 = MIGRATIONS.findIndex((m) => m.version === 9);
    migrate(db, MIGRATIONS.slice(0, v9));
    const path = '/var/lib/one/datastores/100/42';
    const old = `oneadmin@backup.sandbox:${path}`;
    db.prepare('INSERT INTO snapshot_meta (repo_key, snapshot_id, data, cached_at) VALUES (?, ?, ?, 0)').run(
      old,
      'a'.repeat(64),
      JSON.stringify(snap('a')),
    );
    db.prepare('INSERT INTO snapshot_files (repo_key, snapshot_id, data, cached_at) VALUES (?, ?, ?, 0)').run(
      old,
      'a'.repeat(64),
      '[]',
    );
    db.prepare(
      'INSERT INTO repository_stats (repo_key, snapshots_hash, restore_size, raw_size, computed_at) VALUES (?, ?, 1, 1, 0)',
    ).run(old, 'h');
    migrate(db);
    const key = repoKey(serverKey({ host: 'backup.sandbox', user: 'oneadmin' }), path);
    expect(cachedSnapshots(db, key, ['a'.repeat(64)]).size).toBe(1);
    expect(cachedFiles(db, key, 'a'.repeat(64))).toEqual([]);
    expect(db.prepare('SELECT repo_key FROM repository_stats').pluck().all()).toEqual([key]);
    db.close();
  });
});
