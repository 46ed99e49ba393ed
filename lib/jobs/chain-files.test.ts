import { describe, expect, it } from 'vitest';
import { diskParts, newestVmXml } from './chain-files';

const staging = '/srv/restore/vm-1/.staging';

describe('newestVmXml', () => {
  it('takes the vm.xml of the highest increment, counted as numbers past 10', () => {
    const files = [0, 1, 2, 9, 10, 11].map((i) => `${staging}/${i}/var/lib/one/datastores/100/1/${i}/vm.xml`);
    expect(newestVmXml(staging, files)).toBe(`${staging}/11/var/lib/one/datastores/100/1/11/vm.xml`);
    // Plain text order would have kept increment 9's.
    expect([...files].sort().at(-1)).toContain('/9/');
  });

  it('is undefined when no vm.xml was restored', () => {
    expect(newestVmXml(staging, [`${staging}/3/x/disk.0.3`])).toBeUndefined();
  });
});

describe('diskParts', () => {
  it('groups each disk’s links in increment order', () => {
    const files = [`${staging}/10/a/disk.0.10`, `${staging}/9/a/disk.0.9`, `${staging}/9/a/disk.1.9`];
    expect(diskParts(files)).toEqual([
      [
        0,
        [
          { increment: 9, path: `${staging}/9/a/disk.0.9` },
          { increment: 10, path: `${staging}/10/a/disk.0.10` },
        ],
      ],
      [1, [{ increment: 9, path: `${staging}/9/a/disk.1.9` }]],
    ]);
  });
});
