import { describe, expect, it } from 'vitest';
import { chainBytes, imagesBytes } from './chain-progress';

const MiB = 1024 * 1024;

describe('chainBytes', () => {
  it('counts the whole chain, not only the link being restored', () => {
    // A 20 MiB full backup and a 2.4 MiB increment: restoring the increment is not "2.4 of 2.4".
    const expected = [20 * MiB, 2.4 * MiB];
    const p = chainBytes(expected, [20 * MiB], { bytesDone: 1.2 * MiB, bytesTotal: 2.4 * MiB });
    expect(p).toEqual({ bytesDone: 21.2 * MiB, bytesTotal: 22.4 * MiB });
  });

  it('takes restic total for the current link and the expected sizes for the links still to come', () => {
    const p = chainBytes([10, 5, 7], [], { bytesDone: 3, bytesTotal: 11 });
    expect(p).toEqual({ bytesDone: 3, bytesTotal: 11 + 5 + 7 });
  });

  it('counts finished links by what they restored', () => {
    const p = chainBytes([10, 5, 7], [12, 6], { bytesDone: 7, bytesTotal: 7 });
    expect(p).toEqual({ bytesDone: 25, bytesTotal: 25 });
  });

  it('has no total while a link still to come has no known size', () => {
    const p = chainBytes([10, undefined], [], { bytesDone: 4, bytesTotal: 10 });
    expect(p).toEqual({ bytesDone: 4, bytesTotal: undefined });
  });

  it('never gives a total below what is done', () => {
    const p = chainBytes([10, 5], [10], { bytesDone: 9 });
    expect(p).toEqual({ bytesDone: 19, bytesTotal: 19 });
  });
});

describe('imagesBytes', () => {
  it('counts the bytes of the images copied of all the images, and names the one copying', () => {
    const p = imagesBytes([
      { id: 7, sizeMb: 20, state: 'READY' },
      { id: 8, sizeMb: 2, state: 'LOCKED' },
    ]);
    expect(p).toEqual({ bytesDone: 20 * MiB, bytesTotal: 22 * MiB, copying: [8], settled: 1 });
  });

  it('counts an image in ERROR as settled, not as copied bytes', () => {
    const p = imagesBytes([
      { id: 7, sizeMb: 3, state: 'ERROR' },
      { id: 8, sizeMb: 2, state: 'READY' },
    ]);
    expect(p).toEqual({ bytesDone: 2 * MiB, bytesTotal: 5 * MiB, copying: [], settled: 2 });
  });
});
