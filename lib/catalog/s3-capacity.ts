import { DEFAULT_S3_TOTAL_MB } from '@/lib/s3/settings';

// An S3 datastore's capacity as OpenNebula's S3 monitor computes it (7.4, restic/monitor): used is
// the sum of SIZE over the datastore's backup images, total is the template's TOTAL_MB (default
// 1 TiB), free is what is left, never negative. Beside it the bucket's real usage, which counts
// what restic stores after deduplication and compression (and anything else in the bucket).

export type S3MonitorCapacity = { usedMb: number; totalMb: number; freeMb: number };

export function s3MonitorCapacity(
  images: readonly { sizeMb: number; type: string }[],
  template: Readonly<Record<string, string | undefined>>,
): S3MonitorCapacity {
  const usedMb = images.filter((i) => i.type === 'BACKUP').reduce((s, i) => s + (i.sizeMb || 0), 0);
  const raw = template.TOTAL_MB?.trim();
  const totalMb = raw && /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : DEFAULT_S3_TOTAL_MB;
  return { usedMb, totalMb, freeMb: Math.max(totalMb - usedMb, 0) };
}
