import { describe, expect, it } from 'vitest';
import { parseInventory, parseListingSum, repositoryKind, SHAPE_SETTLE_SECONDS } from './inventory';

const ID = (c: string) => c.repeat(64);

describe('parseInventory', () => {
  it('reads repositories, snapshots, index files, locks and df; ignores what is not a repository', () => {
    const text = [
      'BASE',
      'DF\t/dev/vda 270579761152 23190032384 247373012992 9% /',
      'F\td\t42\t1764150000.0',
      'F\tf\t42/config\t1764150000.0',
      'F\td\t42/snapshots\t1764150000.0',
      `F\tf\t42/snapshots/${ID('b')}\t1764150000.0`,
      `F\tf\t42/snapshots/${ID('a')}\t1764150000.0`,
      `F\tf\t42/locks/${ID('c')}\t1764150123.5`,
      `F\tf\t42/index/${ID('d')}\t1764150000.0`,
      'F\td\tjob_7\t1764150000.0',
      'F\td\tlost+found\t1764150000.0',
      'F\tf\t42/snapshots/not-a-snapshot.tmp\t1764150000.0',
    ].join('\n');
    const inv = parseInventory('/var/lib/one/datastores/100/', text);
    expect(inv.filesystem).toEqual({
      totalBytes: 270579761152,
      usedBytes: 23190032384,
      availableBytes: 247373012992,
      mountPoint: '/',
    });
    expect(inv.repositories).toEqual([
      {
        kind: 'vm',
        vmId: 42,
        name: '42',
        path: '/var/lib/one/datastores/100/42',
        initialized: true,
        snapshotIds: [ID('a'), ID('b')],
        locks: [{ id: ID('c'), modified: 1764150123500 }],
        indexIds: [ID('d')],
        storedBytes: 0,
      },
      {
        kind: 'job',
        jobId: 7,
        name: 'job_7',
        path: '/var/lib/one/datastores/100/job_7',
        initialized: false,
        snapshotIds: [],
        locks: [],
        indexIds: [],
        storedBytes: 0,
      },
    ]);
  });

  it('reports a missing BASE_PATH', () => {
    expect(parseInventory('/x', 'NOBASE\n')).toEqual({ basePath: '/x', exists: false, repositories: [] });
  });

  it('reads the listing sum: lines sent (LIST) or the same as held (SAME)', () => {
    const sum = '0123456789abcdef0123456789abcdef';
    expect(parseListingSum(`BASE\nDF\t/dev/vda 1 1 0 100% /\nSAME\t${sum}\n`)).toEqual({
      sum,
      unchanged: true,
      settled: true,
    });
    const shape = 'D\t1764150000.1234567890\t\nD\t1764150096.9999999990\t42/snapshots\n';
    expect(parseListingSum(`BASE\nLIST\t${sum}\t1764150100\n${shape}F\td\t42\n`)).toEqual({
      sum,
      unchanged: false,
      settled: true,
    });
    expect(parseListingSum('BASE\nSAME\tnot-a-sum\n')).toBeUndefined();
    expect(parseListingSum('BASE\nLIST\t\t1764150100\n')).toBeUndefined();
    expect(parseListingSum('NOBASE\n')).toBeUndefined();
  });

  it('holds a shape only when every folder changed SHAPE_SETTLE_SECONDS before the server clock', () => {
    const sum = '0123456789abcdef0123456789abcdef';
    const list = (now: string, ...changed: string[]) =>
      parseListingSum(`BASE\nLIST\t${sum}\t${now}\n${changed.map((t) => `D\t${t}\t42\n`).join('')}`)?.settled;
    const now = 1764150100;
    expect(list(String(now), `${now - SHAPE_SETTLE_SECONDS}.0000000000`)).toBe(true);
    // Changed within the last seconds: a change in the same time step would not show.
    expect(list(String(now), '1764150000.0', `${now - SHAPE_SETTLE_SECONDS}.5`)).toBe(false);
    // A folder time ahead of the server clock (another clock, on a network file system).
    expect(list(String(now), `${now + 60}.0`)).toBe(false);
    // No clock (date failed): nothing can be said.
    expect(list('', '1764150000.0')).toBe(false);
    expect(list(String(now), 'garbage')).toBe(false);
  });

  it('knows VM and job repositories by name only', () => {
    expect(repositoryKind('42')).toEqual({ kind: 'vm', vmId: 42 });
    expect(repositoryKind('job_10')).toEqual({ kind: 'job', jobId: 10 });
    expect(repositoryKind('job_x')).toBeUndefined();
    expect(repositoryKind('42a')).toBeUndefined();
  });
});
