import 'server-only';
import { sharedCache } from '@/lib/cache';
import { dump } from '@/lib/restic';
import { keyOf } from './snapshot-facts';
import { snapshotFile, type SnapshotFile } from './snapshot-files';
import { parseQcow2Header, QCOW2_HEAD_BYTES, type DiskHeader } from './snapshot-qcow2-header';
import type { SnapshotRef } from './snapshot-resolve';
import { decodeVmXml } from './snapshot-vm-xml';

// What is read from the first bytes of a snapshot's file through `restic dump`, which is then
// cancelled: each disk's qcow2 header (64 KiB) and vm.xml.

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

// Immutable facts of a snapshot: kept until evicted, a failed read is not kept.
const headers = sharedCache<DiskHeader>('catalog.disk-headers', { freshMs: Number.POSITIVE_INFINITY, max: 500 });
const vmXmls = sharedCache<string>('catalog.vm-xml', { freshMs: Number.POSITIVE_INFINITY, max: 500 });

/** The qcow2 header of a disk file of a snapshot, from the first 64 KiB only (cached: immutable). */
export function diskHeader(ref: SnapshotRef, file: SnapshotFile, signal?: AbortSignal): Promise<DiskHeader> {
  // Shared by every viewer: no viewer's signal reaches the dump, each may stop waiting.
  return headers.read(
    `${keyOf(ref.repo)}|${ref.snapshot.id}|${file.path}`,
    async () => {
      const s = await dump(ref.repo, ref.snapshot.id, file.path, { capacity: 'interactive' });
      const { bytes } = await readDumpHead(s, QCOW2_HEAD_BYTES);
      return parseQcow2Header(bytes);
    },
    { signal },
  );
}

const VM_XML_MAX = 4 * 1024 * 1024;

/** vm.xml of the snapshot, decoded from base64 (cached: immutable). */
export async function snapshotVmXml(ref: SnapshotRef, signal?: AbortSignal): Promise<string> {
  const file = await snapshotFile(ref, 'vm.xml', signal);
  // Shared by every viewer: no viewer's signal reaches the dump, each may stop waiting.
  return vmXmls.read(
    `${keyOf(ref.repo)}|${ref.snapshot.id}|${file.path}`,
    async () => {
      const s = await dump(ref.repo, ref.snapshot.id, file.path, { capacity: 'interactive' });
      const { bytes, complete } = await readDumpHead(s, VM_XML_MAX);
      if (!complete) throw new Error('vm.xml is larger than Backstone reads');
      return decodeVmXml(bytes);
    },
    { signal },
  );
}
