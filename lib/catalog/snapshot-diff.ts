import 'server-only';
import { posix } from 'node:path';
import { sharedCache, valueWithin } from '@/lib/cache';
import { diff as resticDiff, type FileNode } from '@/lib/restic';
import { lineDiff, type LineDiff } from './line-diff';
import type { Reader } from './reader';
import { StillReading } from './shared-reads';
import { snapshotVmXml } from './snapshot-dump-head';
import { keyOf } from './snapshot-facts';
import { snapshotNodes } from './snapshot-files';
import { resolveSnapshotPair, type SnapshotRef } from './snapshot-resolve';
import { prettyXml } from './snapshot-vm-xml';
import type { SnapshotRow } from './types';

// What changed between two snapshots of one repository: their files (restic diff, with sizes from
// both listings) and their vm.xml (a line diff).

export type DiffRow = {
  path: string;
  name: string;
  change: 'added' | 'removed' | 'changed' | 'type-changed' | 'metadata';
  sizeBefore?: number;
  sizeAfter?: number;
};

export type SnapshotDiffView = {
  from: SnapshotRow;
  to: SnapshotRow;
  rows: DiffRow[];
  /** restic's figures: new and dropped data (blobs), not file sizes. */
  added: { files: number; bytes: number };
  removed: { files: number; bytes: number };
  /** The pair was asked newer → older and compared older → newer. */
  swapped?: boolean;
};

const CHANGE: Record<string, DiffRow['change']> = {
  '+': 'added',
  '-': 'removed',
  M: 'changed',
  T: 'type-changed',
  U: 'metadata',
};

// Both snapshots are immutable, so is their diff: kept until evicted, a failed read is not kept.
const diffs = sharedCache<SnapshotDiffView>('catalog.diffs', { freshMs: Number.POSITIVE_INFINITY, max: 500 });

/** Files added, removed and changed between two snapshots of one repository, with sizes. */
export async function snapshotDiff(
  reader: Reader,
  datastoreId: number,
  repository: string,
  fromId: string,
  toId: string,
  signal?: AbortSignal,
  opts: { answerWithinMs?: number } = {},
): Promise<SnapshotDiffView> {
  const started = Date.now();
  const { from, to, swapped } = await resolveSnapshotPair(reader, datastoreId, repository, fromId, toId, signal, opts);
  if (opts.answerWithinMs === undefined) return { ...(await diffOf(from, to, signal)), swapped };
  const d = await valueWithin(diffOf(from, to, signal), started + opts.answerWithinMs - Date.now());
  if (!d) throw new StillReading(`Still comparing ${from.snapshot.shortId} and ${to.shortId} on the backup server.`);
  return { ...d, swapped };
}

/** The diff of two snapshots already resolved for the reader (cached: both are immutable). */
export function diffOf(from: SnapshotRef, to: SnapshotRow, signal?: AbortSignal): Promise<SnapshotDiffView> {
  // Shared by every viewer: no viewer's signal reaches restic, each may stop waiting.
  const make = async (): Promise<SnapshotDiffView> => {
    const [d, before, after] = await Promise.all([
      resticDiff(from.repo, from.snapshot.id, to.id),
      snapshotNodes(from.repo, from.snapshot.id),
      snapshotNodes(from.repo, to.id),
    ]);
    const sizeIn = (nodes: FileNode[], path: string) => nodes.find((n) => n.path === path && n.type === 'file')?.size;
    const isDir = (path: string) =>
      path.endsWith('/') || [...before, ...after].some((n) => n.path === path && n.type === 'dir');
    const rows = d.changes
      .filter((c) => !isDir(c.path))
      .map((c): DiffRow => {
        const sb = sizeIn(before, c.path);
        const sa = sizeIn(after, c.path);
        return {
          path: c.path,
          name: posix.basename(c.path),
          change: CHANGE[c.modifier] ?? 'changed',
          ...(sb !== undefined ? { sizeBefore: sb } : {}),
          ...(sa !== undefined ? { sizeAfter: sa } : {}),
        };
      });
    return { from: from.snapshot, to, rows, added: d.added, removed: d.removed };
  };
  return diffs.read(`${keyOf(from.repo)}|${from.snapshot.id}|${to.id}`, make, { signal });
}

// What changed in vm.xml between two snapshots

export type VmXmlDiff = LineDiff;

/**
 * A line diff of the two snapshots' vm.xml, decoded and pretty-printed (both cached: immutable).
 * The pair is already resolved for the reader, so only what they may see is read.
 */
export async function vmXmlDiff(from: SnapshotRef, to: SnapshotRow, signal?: AbortSignal): Promise<VmXmlDiff> {
  const [before, after] = await Promise.all([
    snapshotVmXml(from, signal),
    snapshotVmXml({ ...from, snapshot: to }, signal),
  ]);
  const lines = (xml: string) => prettyXml(xml).replace(/\n$/, '').split('\n');
  return lineDiff(lines(before), lines(after));
}
