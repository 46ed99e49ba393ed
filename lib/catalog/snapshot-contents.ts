import 'server-only';
import { posix } from 'node:path';
import { processWide } from '@/lib/config/process-wide';
import { ExpectedError } from '@/lib/errors/expected-error';
import { getVm, OneNotAuthorized, OneNotFound, type Vm, type VmBackupConfig } from '@/lib/opennebula';
import { diff as resticDiff, dump, ls, type FileNode, type ResticRepo } from '@/lib/restic';
import { cachedFiles, cacheFiles, getDb } from '@/lib/store';
import { datastoreAccess, type DatastoreAccess } from './access';
import type { Reader } from './overview';
import { repositoryDetail, RepositoryNotFound, type RepositoryDetail } from './repository';
import { sharedReads, StillReading, valueWithin, waitOrAbort } from './shared-reads';
import { olderFirst } from '@/lib/schemas/snapshot-pair';
import { lineDiff, type LineDiff } from './line-diff';
import { keyOf } from './snapshot-facts';
import { parseQcow2Header, QCOW2_HEAD_BYTES, type DiskHeader } from './snapshot-qcow2-header';
import {
  changesSince,
  decodeVmXml,
  prettyXml,
  summarizeVmXml,
  type ConfigChange,
  type VmXmlSummary,
} from './snapshot-vm-xml';
import type { BackupChain, SnapshotRow } from './types';

// One snapshot of a repository, as far as the reader may see it: its files (cached forever, a
// snapshot never changes), each disk's qcow2 header (read from the first 64 KiB of a `restic
// dump`, then cancelled), its place in the increment chain, the VM's configuration at backup
// time, and the diff with another snapshot. Every snapshot ID and file path comes from the
// snapshot itself: anything else is "not found" and runs nothing.

/** A snapshot that does not exist or that the reader may not see (a 404, like a repository). */
export class SnapshotNotVisible extends RepositoryNotFound {
  override name = 'SnapshotNotVisible';
}

/** A flattened download asked of a chain with a missing link. */
export class ChainBroken extends ExpectedError {
  override name = 'ChainBroken';
  readonly kind = 'conflict';
}

export type SnapshotRef = {
  detail: RepositoryDetail;
  snapshot: SnapshotRow;
  access: DatastoreAccess;
  repo: ResticRepo;
};

function findSnapshot(snapshots: readonly SnapshotRow[], id: string): SnapshotRow | undefined {
  if (!/^[0-9a-f]{8,64}$/.test(id)) return undefined;
  const exact = snapshots.find((s) => s.id === id || s.shortId === id);
  if (exact) return exact;
  const prefixed = snapshots.filter((s) => s.id.startsWith(id));
  return prefixed.length === 1 ? prefixed[0] : undefined;
}

/**
 * The repository through the reader's eyes, then the snapshot among those they may see. With
 * `answerWithinMs`, a repository whose snapshots are still being read throws StillReading (the
 * snapshot may well exist); a stale listing is used as it is.
 */
export async function resolveSnapshot(
  reader: Reader,
  datastoreId: number,
  repository: string,
  snapshotId: string,
  signal?: AbortSignal,
  opts: { answerWithinMs?: number } = {},
): Promise<SnapshotRef> {
  const detail = await repositoryDetail(reader, datastoreId, repository, signal, opts);
  const snapshot = findSnapshot(detail.snapshots, snapshotId);
  if (!snapshot && detail.freshness.state === 'reading')
    throw new StillReading(`Still reading the snapshots of repository ${repository} from the backup server.`);
  if (!snapshot) throw new SnapshotNotVisible(`There is no snapshot ${snapshotId} in repository ${repository}.`);
  const access = await datastoreAccess(datastoreId);
  return { detail, snapshot, access, repo: access.repo(repository) };
}

/**
 * Two snapshots of one repository, both visible to the reader (`opts` as for resolveSnapshot),
 * always older → newer: a pair asked the other way round is swapped, and `swapped` says so.
 */
export async function resolveSnapshotPair(
  reader: Reader,
  datastoreId: number,
  repository: string,
  from: string,
  to: string,
  signal?: AbortSignal,
  opts: { answerWithinMs?: number } = {},
): Promise<{ from: SnapshotRef; to: SnapshotRow; swapped: boolean }> {
  const ref = await resolveSnapshot(reader, datastoreId, repository, from, signal, opts);
  const other = findSnapshot(ref.detail.snapshots, to);
  if (!other) throw new SnapshotNotVisible(`There is no snapshot ${to} in repository ${repository}.`);
  const { older, newer, swapped } = olderFirst(ref.snapshot, other);
  // Both rows are of the same repository: the reference only changes which snapshot it points at.
  return { from: { ...ref, snapshot: older }, to: newer, swapped };
}

// ---------------------------------------------------------------------------------------------
// Files

export type SnapshotFile = {
  path: string;
  name: string;
  size: number;
  mtime?: string;
  kind: 'disk' | 'vm.xml' | 'tpm' | 'other';
  diskId?: number;
  increment?: number;
};

// `restic ls` of a snapshot not cached yet, shared by every viewer while it runs (then the store has it).
const listings = sharedReads<FileNode[]>('catalog.snapshot-nodes', { freshMs: 0, max: 50 });

/**
 * Every node `restic ls` lists, cached by repository and snapshot ID forever. Viewers of the same
 * snapshot share one restic; `signal` ends this caller's wait only.
 */
export async function snapshotNodes(repo: ResticRepo, snapshotId: string, signal?: AbortSignal): Promise<FileNode[]> {
  const db = getDb();
  const key = keyOf(repo);
  const cached = cachedFiles(db, key, snapshotId);
  if (cached) return cached;
  return listings.read(
    `${key}\0${snapshotId}`,
    async () => {
      const nodes = await ls(repo, snapshotId);
      cacheFiles(db, key, snapshotId, nodes);
      return nodes;
    },
    { signal },
  );
}

function fileOf(n: FileNode): SnapshotFile {
  const disk = /^disk\.(\d+)\.(\d+)$/.exec(n.name);
  return {
    path: n.path,
    name: n.name,
    size: n.size,
    ...(n.mtime ? { mtime: n.mtime } : {}),
    kind: disk ? 'disk' : n.name === 'vm.xml' ? 'vm.xml' : /^disk\.tpm/.test(n.name) ? 'tpm' : 'other',
    ...(disk ? { diskId: Number(disk[1]), increment: Number(disk[2]) } : {}),
  };
}

/** The snapshot's regular files (disks, vm.xml, TPM state), with sizes. */
export async function snapshotFiles(ref: SnapshotRef, signal?: AbortSignal): Promise<SnapshotFile[]> {
  const nodes = await snapshotNodes(ref.repo, ref.snapshot.id, signal);
  return nodes
    .filter((n) => n.type === 'file')
    .map(fileOf)
    .sort((a, b) => (a.diskId ?? 1e9) - (b.diskId ?? 1e9) || a.name.localeCompare(b.name));
}

/** snapshotFiles within `waitMs`; StillReading when restic has not listed them by then (it goes on). */
export async function snapshotFilesWithin(
  ref: SnapshotRef,
  waitMs: number,
  signal?: AbortSignal,
): Promise<SnapshotFile[]> {
  const files = await valueWithin(snapshotFiles(ref, signal), waitMs);
  if (!files)
    throw new StillReading(`Still reading the files of snapshot ${ref.snapshot.shortId} from the backup server.`);
  return files;
}

/** A file of the snapshot by its name (disk.0.1, vm.xml): only the snapshot's own files exist. */
export async function snapshotFile(ref: SnapshotRef, name: string, signal?: AbortSignal): Promise<SnapshotFile> {
  const matches = (await snapshotFiles(ref, signal)).filter((f) => f.name === name);
  const file = matches.length === 1 ? matches[0] : undefined;
  if (!file) throw new SnapshotNotVisible(`Snapshot ${ref.snapshot.shortId} has no file ${name}.`);
  return file;
}

// ---------------------------------------------------------------------------------------------
// Bounded reads of a file's first bytes through `restic dump`

type DumpStream = Awaited<ReturnType<typeof dump>>;

/**
 * Reads at most `limit` bytes of a dump, then cancels it (the remote restic is killed). What comes
 * after the cancel is drained and dropped: a paused SSH channel would never close.
 */
async function readDumpHead(s: DumpStream, limit: number): Promise<{ bytes: Buffer; complete: boolean }> {
  const chunks: Buffer[] = [];
  let n = 0;
  let complete = true;
  // Observed here so an early cancel is never an unhandled rejection.
  const settled = s.done.then(
    () => undefined,
    (e: unknown) => e,
  );
  await new Promise<void>((resolve) => {
    s.stdout.on('data', (chunk: Buffer) => {
      if (!complete) return;
      chunks.push(chunk);
      n += chunk.length;
      if (n >= limit) {
        complete = false;
        s.cancel();
      }
    });
    // The typed error, if any, comes from `done` below.
    s.stdout.on('error', () => resolve());
    s.stdout.on('end', () => resolve());
    s.stdout.on('close', () => resolve());
  });
  const err = await settled;
  if (complete && err) throw err;
  return { bytes: Buffer.concat(chunks).subarray(0, limit), complete };
}

type Cache<T> = Map<string, Promise<T>>;

function remember<T>(cache: Cache<T>, key: string, make: () => Promise<T>, max = 500): Promise<T> {
  const hit = cache.get(key);
  if (hit) return hit;
  const p = make();
  cache.set(key, p);
  p.catch(() => cache.delete(key));
  // Oldest first out: a Map iterates in insertion order.
  while (cache.size > max) {
    const oldest = cache.keys().next().value;
    if (oldest === undefined) break;
    cache.delete(oldest);
  }
  return p;
}

const headers = processWide('catalog.diskHeaders', () => new Map() as Cache<DiskHeader>);
const vmXmls = processWide('catalog.vmXml', () => new Map() as Cache<string>);

/** The qcow2 header of a disk file of a snapshot, from the first 64 KiB only (cached: immutable). */
export function diskHeader(ref: SnapshotRef, file: SnapshotFile, signal?: AbortSignal): Promise<DiskHeader> {
  // Shared by every viewer: no viewer's signal reaches the dump, each may stop waiting.
  const read = remember(headers, `${keyOf(ref.repo)}|${ref.snapshot.id}|${file.path}`, async () => {
    const s = await dump(ref.repo, ref.snapshot.id, file.path, { capacity: 'interactive' });
    const { bytes } = await readDumpHead(s, QCOW2_HEAD_BYTES);
    return parseQcow2Header(bytes);
  });
  return waitOrAbort(read, signal);
}

const VM_XML_MAX = 4 * 1024 * 1024;

/** vm.xml of the snapshot, decoded from base64 (cached: immutable). */
export async function snapshotVmXml(ref: SnapshotRef, signal?: AbortSignal): Promise<string> {
  const file = await snapshotFile(ref, 'vm.xml', signal);
  // Shared by every viewer: no viewer's signal reaches the dump, each may stop waiting.
  const read = remember(vmXmls, `${keyOf(ref.repo)}|${ref.snapshot.id}|${file.path}`, async () => {
    const s = await dump(ref.repo, ref.snapshot.id, file.path, { capacity: 'interactive' });
    const { bytes, complete } = await readDumpHead(s, VM_XML_MAX);
    if (!complete) throw new Error('vm.xml is larger than Backstone reads');
    return decodeVmXml(bytes);
  });
  return waitOrAbort(read, signal);
}

// ---------------------------------------------------------------------------------------------
// Disks and their place in the increment chain

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

// ---------------------------------------------------------------------------------------------
// The VM at backup time

export type VmAtBackup = {
  summary: VmXmlSummary;
  pretty: string;
};

export async function vmAtBackup(ref: SnapshotRef, signal?: AbortSignal): Promise<VmAtBackup> {
  const xml = await snapshotVmXml(ref, signal);
  return { summary: await summarizeVmXml(xml), pretty: prettyXml(xml) };
}

function backupConfigAttributes(c: VmBackupConfig): Record<string, string> {
  const out: Record<string, string> = {};
  const put = (k: string, v: string | number | boolean | number[] | undefined) => {
    if (v === undefined) return;
    out[k] = typeof v === 'boolean' ? (v ? 'YES' : 'NO') : Array.isArray(v) ? v.join(',') : String(v);
  };
  put('MODE', c.mode);
  put('KEEP_LAST', c.keepLast);
  put('BACKUP_JOB_ID', c.backupJobId);
  put('BACKUP_VOLATILE', c.backupVolatile);
  put('FS_FREEZE', c.fsFreeze);
  put('INCREMENT_MODE', c.incrementMode);
  put('DISK_IDS', c.diskIds);
  return out;
}

const COMPARED_BACKUP_KEYS = [
  'MODE',
  'KEEP_LAST',
  'BACKUP_JOB_ID',
  'BACKUP_VOLATILE',
  'FS_FREEZE',
  'INCREMENT_MODE',
  'DISK_IDS',
];

export type ChangedSince =
  { kind: 'compared'; vmName: string; changes: ConfigChange[] } | { kind: 'gone'; message: string };

/** The VM's configuration at backup time against the VM as OpenNebula shows it now to the reader. */
export async function changedSince(
  reader: Reader,
  then: VmXmlSummary,
  vmId: number | undefined,
): Promise<ChangedSince> {
  const id = vmId ?? then.id;
  if (id === undefined) return { kind: 'gone', message: 'The snapshot names no VM.' };
  let vm: Vm;
  try {
    vm = await getVm(reader.credential, id);
  } catch (err) {
    if (err instanceof OneNotFound || err instanceof OneNotAuthorized)
      return { kind: 'gone', message: `VM ${id} no longer exists (or is no longer yours).` };
    throw err;
  }
  const thenBackup: Record<string, string> = {};
  for (const k of COMPARED_BACKUP_KEYS) if (then.backupConfig[k] !== undefined) thenBackup[k] = then.backupConfig[k];
  const changes = changesSince(
    { ...then, backupConfig: thenBackup },
    {
      name: vm.name,
      ...(vm.cpu !== undefined ? { cpu: vm.cpu } : {}),
      ...(vm.vcpu !== undefined ? { vcpu: vm.vcpu } : {}),
      ...(vm.memoryMb !== undefined ? { memoryMb: vm.memoryMb } : {}),
      disks: vm.disks.map((d) => ({ diskId: d.diskId, attributes: d.attributes })),
      nics: vm.nics.map((n) => ({ nicId: n.nicId, attributes: n.attributes })),
      backupConfig: backupConfigAttributes(vm.backups.config),
    },
  );
  return { kind: 'compared', vmName: vm.name, changes };
}

// ---------------------------------------------------------------------------------------------
// Diff of two snapshots

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

const diffs = processWide('catalog.diffs', () => new Map() as Cache<SnapshotDiffView>);

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
  const read = remember(diffs, `${keyOf(from.repo)}|${from.snapshot.id}|${to.id}`, async () => {
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
  });
  return waitOrAbort(read, signal);
}

// ---------------------------------------------------------------------------------------------
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
