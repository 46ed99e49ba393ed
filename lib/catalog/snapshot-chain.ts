import 'server-only';
import { posix } from 'node:path';
import { ExpectedError } from '@/lib/errors/expected-error';
import type { SnapshotFile } from './snapshot-files';
import type { SnapshotRef } from './snapshot-resolve';
import type { BackupChain } from './types';

// A snapshot's disks and their place in the image's increment chain, whose order lives only in
// OpenNebula's increments (pure: on the catalog's rows).

/** A flattened download asked of a chain with a missing link. */
export class ChainBroken extends ExpectedError {
  override name = 'ChainBroken';
  readonly kind = 'conflict';
}

export type ChainPlace = {
  imageId: number;
  imageName: string;
  mode: 'FULL' | 'INCREMENT';
  /** The links up to and including this snapshot's, oldest first. */
  links: { incrementId: number; type: 'FULL' | 'INCREMENT'; snapshotId?: string; shortId: string }[];
  /** Links after this one (later increments of the same image). */
  later: number;
  /** This snapshot's increment ID. */
  incrementId: number;
};

export type SnapshotDisk = {
  diskId: number;
  file: SnapshotFile;
  /** What the disk is in the chain. */
  role: 'full' | 'chain-start' | 'increment';
  /** For an increment: the file it lies on (the previous link's disk file). */
  previous?: { snapshotShortId: string; name: string };
  /** A flattened download exists for increments whose chain is whole. */
  flattenable: boolean;
};

function chainOf(ref: SnapshotRef): BackupChain | undefined {
  const s = ref.snapshot;
  if (s.imageId === undefined) return undefined;
  return ref.detail.chains.find((c) => c.imageId === s.imageId);
}

export function chainPlace(ref: SnapshotRef): ChainPlace | undefined {
  const chain = chainOf(ref);
  const inc = ref.snapshot.incrementId;
  if (!chain || inc === undefined) return undefined;
  const upTo = chain.links.filter((l) => l.incrementId <= inc);
  return {
    imageId: chain.imageId,
    imageName: chain.imageName,
    mode: chain.mode,
    links: upTo.map((l) => ({
      incrementId: l.incrementId,
      type: l.type,
      ...(l.snapshotId ? { snapshotId: l.snapshotId } : {}),
      shortId: l.snapshotId?.slice(0, 8) ?? l.source,
    })),
    later: chain.links.length - upTo.length,
    incrementId: inc,
  };
}

/**
 * The files to merge for one disk, oldest first: each link of the chain up to this snapshot, its
 * snapshot and its disk.N.K. The order lives only in OpenNebula's increments.
 */
export function chainFiles(ref: SnapshotRef, diskId: number): { snapshotId: string; path: string }[] {
  const place = chainPlace(ref);
  if (!place) throw new ChainBroken(`Snapshot ${ref.snapshot.shortId} is not part of an increment chain.`);
  return place.links.map((l) => {
    const row = l.snapshotId ? ref.detail.snapshots.find((s) => s.id === l.snapshotId) : undefined;
    const disk = row?.disks.find((d) => d.diskId === diskId);
    if (!row || !disk)
      throw new ChainBroken(`Increment ${l.incrementId} of image ${place.imageId} has no disk ${diskId} to merge.`);
    return { snapshotId: row.id, path: disk.path };
  });
}

export function snapshotDisks(ref: SnapshotRef, files: readonly SnapshotFile[]): SnapshotDisk[] {
  const place = chainPlace(ref);
  return files
    .filter((f) => f.kind === 'disk' && f.diskId !== undefined)
    .map((file) => {
      const diskId = file.diskId!;
      if (!place || place.mode === 'FULL') return { diskId, file, role: 'full' as const, flattenable: false };
      if (place.links.length <= 1 || ref.snapshot.incrementType === 'FULL')
        return { diskId, file, role: 'chain-start' as const, flattenable: false };
      const prevLink = place.links[place.links.length - 2];
      const prevRow = ref.detail.snapshots.find((s) => s.id === prevLink?.snapshotId);
      const prevDisk = prevRow?.disks.find((d) => d.diskId === diskId);
      let flattenable = true;
      try {
        chainFiles(ref, diskId);
      } catch {
        flattenable = false;
      }
      return {
        diskId,
        file,
        role: 'increment' as const,
        ...(prevRow && prevDisk
          ? { previous: { snapshotShortId: prevRow.shortId, name: posix.basename(prevDisk.path) } }
          : {}),
        flattenable,
      };
    });
}
