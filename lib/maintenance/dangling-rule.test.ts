import { describe, expect, it } from 'vitest';
import { danglingImages } from './dangling-rule';

const image = (id: number, source: string, over: Partial<Parameters<typeof danglingImages>[3][number]> = {}) => ({
  id,
  name: `backup ${id}`,
  state: 'READY' as Parameters<typeof danglingImages>[3][number]['state'],
  source,
  increments: [],
  vmIds: [7],
  backupJobId: undefined,
  path: '',
  ...over,
});
const flagged = (...ids: number[]) => ids.map((imageId) => ({ kind: 'dangling-image' as const, imageId }));
const snap = (prefix: string) => ({ id: prefix.padEnd(64, '0') });

describe('dangling images the action may delete', () => {
  it('a flagged FULL image whose snapshot is not in the repository', () => {
    expect(danglingImages('7', flagged(3), [snap('bbbbbbbb')], [image(3, 'aaaaaaaa')])).toEqual([
      { imageId: 3, name: 'backup 3', source: 'aaaaaaaa', vmId: 7 },
    ]);
  });

  it('never an image the catalog did not flag (an unreadable repository flags none)', () => {
    const problems = [{ kind: 'unreadable' as const, imageId: undefined }];
    expect(danglingImages('7', problems, [], [image(3, 'aaaaaaaa')])).toEqual([]);
    expect(danglingImages('7', [{ kind: 'dangling-increment', imageId: 3 }], [], [image(3, 'aaaaaaaa')])).toEqual([]);
  });

  it('never an image whose snapshot is there after all, by prefix and in any case', () => {
    expect(danglingImages('7', flagged(3), [snap('aaaaaaaa')], [image(3, 'AAAAAAAA')])).toEqual([]);
  });

  it('never an image with increments, of another repository, or without a snapshot ID', () => {
    const inc = { id: 0, parentId: null, type: 'FULL' as const, source: 'aaaaaaaa', sizeMb: 1, date: 0 };
    expect(
      danglingImages(
        '7',
        flagged(3, 4, 5, 6),
        [],
        [
          image(3, 'aaaaaaaa', { increments: [inc] }),
          image(4, 'bbbbbbbb', { vmIds: [8] }),
          image(5, 'cccccccc', { backupJobId: 2 }),
          image(6, ''),
        ],
      ),
    ).toEqual([]);
  });

  it('never an image OpenNebula is deleting or still writing', () => {
    const images = [
      image(3, 'aaaaaaaa', { state: 'DELETE' }),
      image(4, 'bbbbbbbb', { state: 'LOCKED' }),
      image(5, 'cccccccc', { state: 'ERROR' }),
    ];
    expect(danglingImages('7', flagged(3, 4, 5), [], images).map((d) => d.imageId)).toEqual([5]);
  });

  it('of a Backup Job repository, in image order', () => {
    const images = [image(9, 'dddddddd', { backupJobId: 2 }), image(4, 'cccccccc', { backupJobId: 2 })];
    expect(danglingImages('job_2', flagged(4, 9), [], images).map((d) => d.imageId)).toEqual([4, 9]);
  });
});
