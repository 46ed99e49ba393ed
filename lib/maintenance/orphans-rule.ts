import type { SnapshotRow } from '@/lib/catalog/types';
import type { Image } from '@/lib/opennebula/models';
import type { OrphanCandidate } from '@/lib/schemas/maintenance';

// Which snapshots orphan cleanup may forget: those the catalog flagged (no image or increment
// refers to them, older than the safety window, no backup of their VM under way), minus any
// snapshot that ANY backup image of the datastore names, by its SOURCE or an increment's SOURCE,
// in full or as a prefix. The second test is independent of the catalog's linking on purpose.

const HEX = /^[0-9a-f]{4,64}$/;

/** Every snapshot reference OpenNebula holds in these images (SOURCEs, lower-cased). */
export function referencedSources(images: readonly Pick<Image, 'source' | 'increments'>[]): string[] {
  const out = new Set<string>();
  for (const i of images) {
    for (const s of [i.source, ...i.increments.map((x) => x.source)]) {
      const t = (s ?? '').trim().toLowerCase();
      if (HEX.test(t)) out.add(t);
    }
  }
  return [...out];
}

export function isReferenced(snapshotId: string, sources: readonly string[]): boolean {
  const id = snapshotId.toLowerCase();
  return sources.some((s) => id.startsWith(s));
}

export function orphanCandidates(
  rows: readonly SnapshotRow[],
  images: readonly Pick<Image, 'source' | 'increments'>[],
): OrphanCandidate[] {
  const sources = referencedSources(images);
  return rows
    .filter((r) => r.orphan && r.orphanFlagged && !isReferenced(r.id, sources))
    .map((r) => ({ id: r.id, shortId: r.shortId, time: r.time, vmId: r.vmId, hostname: r.hostname }));
}
