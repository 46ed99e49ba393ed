import 'server-only';
import { randomBytes } from 'node:crypto';
import { posix } from 'node:path';
import { getConfig } from '@/lib/config';
import { exec, execOk, stream, type Target } from '@/lib/exec';
import { logger } from '@/lib/log';
import { dump, restore } from '@/lib/restic';
import { limitTargetOf } from './access';
import { diskWorkPlace } from './disk-work-place';
import { takeDownloadSlot } from './download-slots';
import { chainFiles } from './snapshot-chain';
import { snapshotVmXml } from './snapshot-dump-head';
import { snapshotFile, type SnapshotFile } from './snapshot-files';
import type { SnapshotRef } from './snapshot-resolve';
import { toWebStream } from './snapshot-stream';

// Downloads of a snapshot's files, streamed from where its restic runs (the backup server; for an
// S3 datastore, Backstone's machine): a file as stored (`restic dump`), vm.xml decoded, and one disk
// of an increment chain flattened the way OpenNebula's downloader does it (each link restored into
// RESTIC_TMP_DIR on the backup server, or BACKSTONE_LOCAL_RESTORE_DIR here for S3, `qemu-img rebase
// -u`, `qemu-img convert`), its temporary folder removed whatever happens.
//
// Each download holds a slot (download-slots.ts: per user and per backup server, refused past the
// limits) and bulk SSH capacity until its command has ended, and is aborted when its reader stops
// reading for the idle bound, so stalled browsers cannot pile up commands on a backup server.

const log = logger('catalog.download');

export type DownloadOptions = {
  /** Who downloads (the signed-in user's name): the per-user limit counts by it. */
  holder: string;
  signal?: AbortSignal;
};

export type Download = {
  body: ReadableStream<Uint8Array>;
  size: number;
  fileName: string;
  contentType: string;
};

function baseName(ref: SnapshotRef): string {
  const vm = ref.snapshot.vmId;
  return `${vm === undefined ? 'repo-' + ref.detail.repository.name : `vm-${vm}`}-${ref.snapshot.shortId}`;
}

/**
 * The name a file downloads under, saying what its bytes are: a disk is qcow2, and vm.xml as the
 * driver stores it is base64 (xmllint fails on it under a plain .xml name; the decoded one is the
 * separate vm.xml download).
 */
export function storedFileName(base: string, file: Pick<SnapshotFile, 'name' | 'kind'>): string {
  if (file.kind === 'disk') return `${base}-${file.name}.qcow2`;
  if (file.kind === 'vm.xml') return `${base}-${file.name}.b64`;
  return `${base}-${file.name}`;
}

/** One file of the snapshot, byte for byte as stored, with its size from the (cached) listing. */
export async function downloadStoredFile(ref: SnapshotRef, name: string, opts: DownloadOptions): Promise<Download> {
  // Taken before anything else runs, so concurrent requests are counted in the order they came.
  const release = takeDownloadSlot(opts.holder, limitTargetOf(ref.access));
  try {
    const { signal } = opts;
    const file: SnapshotFile = await snapshotFile(ref, name, signal);
    const s = await dump(ref.repo, ref.snapshot.id, file.path, { capacity: 'bulk', signal });
    const body = await toWebStream(s, {
      expectedBytes: file.size,
      signal,
      idleMs: getConfig().downloads.idleMs,
      onSettled: release,
    });
    return {
      body,
      size: file.size,
      fileName: storedFileName(baseName(ref), file),
      contentType: file.kind === 'vm.xml' ? 'text/plain; charset=us-ascii' : 'application/octet-stream',
    };
  } catch (err) {
    release();
    throw err;
  }
}

/** vm.xml decoded from base64 (a few KiB, read whole). */
export async function downloadVmXml(ref: SnapshotRef, signal?: AbortSignal): Promise<Download> {
  const bytes = new TextEncoder().encode(await snapshotVmXml(ref, signal));
  return {
    body: new ReadableStream({
      start(c) {
        c.enqueue(bytes);
        c.close();
      },
    }),
    size: bytes.byteLength,
    fileName: `${baseName(ref)}-vm.xml`,
    contentType: 'application/xml; charset=utf-8',
  };
}

const TEMP_PREFIX = 'backstone-flatten.';

// A constant script; every value is a positional argument.
const MAKE_TEMP = 'umask 077 && mkdir -p -- "$1" && mkdir -- "$2"';

/**
 * A fresh private folder under `base`. Its name is chosen here (random, like mktemp's), so a cancel
 * that lands after the folder was made but before the answer came still knows what to remove.
 */
async function makeTempDir(server: Target, base: string, signal?: AbortSignal): Promise<string> {
  const dir = posix.join(base, `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
  try {
    await execOk(server, ['sh', '-c', MAKE_TEMP, 'sh', base, dir], { signal, timeoutMs: 30_000, capacity: 'bulk' });
  } catch (err) {
    await removeTempDir(server, base, dir);
    throw err;
  }
  return dir;
}

function isOurTempDir(base: string, dir: string): boolean {
  return posix.dirname(dir) === base && posix.basename(dir).startsWith(TEMP_PREFIX) && !dir.includes('..');
}

/**
 * Removes a temporary folder made by makeTempDir; never anything else. Not tied to the request, and
 * short: interactive capacity, so a cleanup is never refused or queued behind bulk work.
 */
export async function removeTempDir(server: Target, base: string, dir: string): Promise<void> {
  if (!isOurTempDir(base, dir)) return;
  try {
    const r = await exec(server, ['rm', '-rf', '--', dir], { timeoutMs: 60_000 });
    if (r.exitCode !== 0) log.warn('temporary folder not removed', { dir, exitCode: r.exitCode });
  } catch (err) {
    log.warn('temporary folder not removed', { dir, error: err instanceof Error ? err.message : String(err) });
  }
}

/**
 * One disk of an increment chain up to this snapshot, as a single standalone qcow2: each link's
 * disk.N.K restored into a fresh folder under RESTIC_TMP_DIR, relinked with `qemu-img rebase -u`,
 * merged with `qemu-img convert`, measured, then streamed; the folder is removed when the stream
 * ends, fails or is abandoned.
 */
export async function downloadFlattenedDisk(
  ref: SnapshotRef,
  diskId: number,
  opts: DownloadOptions,
): Promise<Download> {
  const links = chainFiles(ref, diskId);
  const { target: server, base } = diskWorkPlace(ref.access);
  const { signal } = opts;
  const release = takeDownloadSlot(opts.holder, limitTargetOf(ref.access));
  let handedOver = false;
  try {
    const dir = await makeTempDir(server, base, signal);
    try {
      for (const link of links) {
        await restore(ref.repo, { snapshot: link.snapshotId, target: dir, include: [link.path], signal });
      }
      const files = links.map((l) => posix.join(dir, l.path));
      for (let i = 1; i < files.length; i++) {
        await execOk(
          server,
          ['qemu-img', 'rebase', '-u', '-f', 'qcow2', '-F', 'qcow2', '-b', files[i - 1]!, files[i]!],
          { signal, timeoutMs: 120_000, capacity: 'bulk' },
        );
      }
      const out = posix.join(dir, `disk.${diskId}.flattened.qcow2`);
      await execOk(server, ['qemu-img', 'convert', '-O', 'qcow2', files[files.length - 1]!, out], {
        signal,
        timeoutMs: 6 * 3600_000,
        capacity: 'bulk',
      });
      const size = Number((await execOk(server, ['stat', '-c', '%s', '--', out], { signal })).stdout.trim());
      if (!Number.isSafeInteger(size) || size <= 0) throw new Error('the flattened disk has no size');
      const s = stream(server, ['cat', '--', out], { signal, timeoutMs: 24 * 3600_000, capacity: 'bulk' });
      const body = await toWebStream(s, {
        expectedBytes: size,
        signal,
        idleMs: getConfig().downloads.idleMs,
        onSettled: async () => {
          release();
          await removeTempDir(server, base, dir);
        },
      });
      handedOver = true;
      return {
        body,
        size,
        fileName: `${baseName(ref)}-disk.${diskId}-flattened.qcow2`,
        contentType: 'application/octet-stream',
      };
    } finally {
      if (!handedOver) await removeTempDir(server, base, dir);
    }
  } finally {
    if (!handedOver) release();
  }
}
