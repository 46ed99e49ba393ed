import { describe, expect, it } from 'vitest';
import { fixture, FIXTURE_VERSIONS } from './test-support/fixtures';
import {
  parseBackupSummary,
  parseCheck,
  parseConfig,
  parseDiff,
  parseIdList,
  parseLock,
  parseLs,
  parsePrunePlan,
  parseRestoreLine,
  parseSize,
  parseSnapshots,
  parseStats,
  parseVersion,
} from './parse';
import { readFileSync } from 'node:fs';

describe.each(FIXTURE_VERSIONS)('parsers against restic %s output', (v) => {
  it('snapshots: long and short IDs, tags, paths', () => {
    const snaps = parseSnapshots(fixture(v, 'snapshots').out);
    expect(snaps).toHaveLength(2);
    for (const s of snaps) {
      expect(s.id).toMatch(/^[0-9a-f]{64}$/);
      expect(s.shortId).toBe(s.id.slice(0, 8));
      expect(s.tags).toEqual(['one-42']);
      expect(s.paths.some((p) => p.endsWith('/backup/vm.xml'))).toBe(true);
    }
    expect(snaps[0]!.paths[0]).toMatch(/disk\.0\.0$/);
    expect(snaps[1]!.paths[0]).toMatch(/disk\.0\.1$/);
    // Newer fields only from 0.17 on.
    if (v === '0.18') {
      expect(snaps[0]!.programVersion).toBe('restic 0.18.0');
      expect(snaps[0]!.summary?.totalBytesProcessed).toBeGreaterThan(0);
    } else expect(snaps[0]!.summary).toBeUndefined();
    expect(parseSnapshots(fixture(v, 'snapshots-by-id').out)).toHaveLength(1);
  });

  it('ls: nodes without the snapshot line', () => {
    const nodes = parseLs(fixture(v, 'ls').out);
    const files = nodes.filter((n) => n.type === 'file');
    expect(files.map((n) => n.name).sort()).toEqual(['disk.0.0', 'vm.xml']);
    expect(files.find((n) => n.name === 'disk.0.0')!.size).toBeGreaterThan(100_000);
  });

  it('stats in both modes', () => {
    const rs = parseStats(fixture(v, 'stats-restore-size').out, 'restore-size');
    const raw = parseStats(fixture(v, 'stats-raw-data').out, 'raw-data');
    expect(rs.snapshotsCount).toBe(2);
    expect(raw.totalSize).toBeGreaterThan(0);
    expect(raw.totalBlobCount).toBeGreaterThan(0);
    if (v === '0.18') expect(raw.compressionRatio).toBeGreaterThan(1);
    else expect(raw.compressionRatio).toBeUndefined();
  });

  it('diff: changes and statistics', () => {
    const d = parseDiff(fixture(v, 'diff').out);
    expect(d.changes.map((c) => [c.modifier, c.path.split('/').pop()])).toEqual([
      ['-', 'disk.0.0'],
      ['+', 'disk.0.1'],
    ]);
    expect(d.added.files).toBe(1);
    expect(d.removed.bytes).toBeGreaterThan(0);
  });

  it('locks: the list and a stale exclusive lock', () => {
    const ids = parseIdList(fixture(v, 'list-locks-stale').out);
    expect(ids).toHaveLength(1);
    const lock = parseLock(ids[0]!, fixture(v, 'cat-lock').out);
    expect(lock).toMatchObject({ exclusive: true, hostname: expect.any(String), username: expect.any(String) });
    expect(lock.pid).toBeGreaterThan(0);
    expect(parseIdList(fixture(v, 'list-locks').out)).toEqual([]);
  });

  it('prune dry-run summary', () => {
    const plan = parsePrunePlan(fixture(v, 'prune-dry-run').out);
    expect(plan.remaining.blobs).toBe(25);
    expect(plan.totalPrune).toEqual({ blobs: 0, bytes: 0 });
    expect(plan.unusedAfterPrune).toBe(0);
  });

  it('check: healthy, subset and damaged', () => {
    const healthy = fixture(v, 'check');
    expect(parseCheck(healthy.code, healthy.out, healthy.err)).toMatchObject({ ok: true, errors: [] });
    const subset = fixture(v, 'check-read-data-subset');
    expect(parseCheck(subset.code, subset.out, subset.err).readDataPercent).toBe(50);
    const damaged = fixture(v, 'check-damaged');
    const r = parseCheck(damaged.code, damaged.out, damaged.err);
    expect(r.ok).toBe(false);
    expect(r.errors.join('\n')).toMatch(
      /Pack ID does not match|damaged|ciphertext verification failed|contains errors/,
    );
  });

  it('config, version and the backup summary', () => {
    expect(parseConfig(fixture(v, 'cat-config').out).version).toBe(2);
    expect(parseVersion(readFileSync(`${import.meta.dirname}/__fixtures__/${v}/version.out`, 'utf8')).minor).toBe(
      Number(v.split('.')[1]),
    );
    const sum = parseBackupSummary(fixture(v, 'backup-full').out);
    expect(sum?.snapshotId).toMatch(v === '0.14' ? /^[0-9a-f]{8}$/ : /^[0-9a-f]{64}$/);
  });
});

describe('restore progress', () => {
  it('reads restic 0.18 restore --json lines and ignores noise', () => {
    const line = fixture('0.18', 'restore').out.trim().split('\n').pop()!;
    expect(parseRestoreLine(line)).toMatchObject({ percent: 100, bytesDone: expect.any(Number) });
    expect(parseRestoreLine('restoring <Snapshot ...>')).toBeUndefined();
    expect(
      parseRestoreLine('{"message_type":"status","percent_done":0.5,"total_bytes":200,"bytes_restored":100}'),
    ).toMatchObject({
      percent: 50,
      bytesDone: 100,
      bytesTotal: 200,
    });
  });

  it('reads sizes as restic prints them', () => {
    expect(parseSize('16.412 MiB')).toBe(Math.round(16.412 * 1024 * 1024));
    expect(parseSize('0 B')).toBe(0);
    expect(parseSize('1.078 GiB')).toBe(Math.round(1.078 * 1024 ** 3));
  });
});
