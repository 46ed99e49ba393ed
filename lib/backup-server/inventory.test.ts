import { describe, expect, it } from 'vitest';
import { parseInventory, parseListingSum, repositoryKind } from './inventory';

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
    expect(parseListingSum(`BASE\nDF\t/dev/vda 1 1 0 100% /\nSAME\t${sum}\n`)).toEqual({ sum, unchanged: true });
    expect(parseListingSum(`BASE\nLIST\t${sum}\nF\td\t42\n`)).toEqual({ sum, unchanged: false });
    expect(parseListingSum('BASE\nSAME\tnot-a-sum\n')).toBeUndefined();
    expect(parseListingSum('NOBASE\n')).toBeUndefined();
  });

  it('knows VM and job repositories by name only', () => {
    expect(repositoryKind('42')).toEqual({ kind: 'vm', vmId: 42 });
    expect(repositoryKind('job_10')).toEqual({ kind: 'job', jobId: 10 });
    expect(repositoryKind('job_x')).toBeUndefined();
    expect(repositoryKind('42a')).toBeUndefined();
  });
});
