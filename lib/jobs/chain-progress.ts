// Whole-job byte counts for restores (pure: unit-tested in chain-progress.test.ts).

const MiB = 1024 * 1024;

export type LinkProgress = { bytesDone: number; bytesTotal?: number };

/**
 * Bytes of a chain restore onto the backup server, as one job: restic reports each link (one
 * `restic restore` per increment) on its own, so its numbers alone read "2.4 MiB of 2.4 MiB" on the
 * last increment of a 22 MiB chain. Done is what the finished links restored plus the current
 * link's; the total adds the current link's total (restic's, else the expected one) and the
 * expected sizes of the links still to come. A link still to come with no known size gives no
 * total: a guess would read as a fact.
 */
export function chainBytes(
  expected: readonly (number | undefined)[],
  finished: readonly number[],
  current: LinkProgress,
): { bytesDone: number; bytesTotal: number | undefined } {
  const i = finished.length;
  const doneBefore = finished.reduce((a, b) => a + b, 0);
  const bytesDone = doneBefore + current.bytesDone;
  const currentTotal = current.bytesTotal ?? expected[i];
  const rest = expected.slice(i + 1);
  if (currentTotal === undefined || rest.some((b) => b === undefined)) return { bytesDone, bytesTotal: undefined };
  const total = doneBefore + currentTotal + rest.reduce<number>((a, b) => a + (b ?? 0), 0);
  return { bytesDone, bytesTotal: Math.max(total, bytesDone) };
}

export type ImageCopy = { id: number; sizeMb: number; state: string };

/** States in which OpenNebula is still copying an image's data. */
export const COPYING = new Set(['LOCKED', 'INIT', 'CLONE']);

/**
 * Bytes of a restore into OpenNebula. oned reports no byte progress while it copies an image, only
 * its state and SIZE: the bytes are those of the images copied (READY or another settled state
 * but ERROR) of all the images' bytes, and the images still copying are named.
 */
export function imagesBytes(images: readonly ImageCopy[]): {
  bytesDone: number;
  bytesTotal: number;
  copying: number[];
  settled: number;
} {
  let bytesDone = 0;
  let bytesTotal = 0;
  const copying: number[] = [];
  for (const img of images) {
    const bytes = img.sizeMb * MiB;
    bytesTotal += bytes;
    if (COPYING.has(img.state)) copying.push(img.id);
    else if (img.state !== 'ERROR') bytesDone += bytes;
  }
  return { bytesDone, bytesTotal, copying, settled: images.length - copying.length };
}
