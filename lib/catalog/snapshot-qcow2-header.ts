// The header of a qcow2 file (QEMU's docs/interop/qcow2.txt), read from its first bytes: what
// Backstone shows about a backed-up disk without downloading it. Plain code, no I/O.

import { ExpectedError } from '@/lib/errors/expected-error';

/** How many leading bytes of a disk file are read for its header. */
export const QCOW2_HEAD_BYTES = 64 * 1024;

const MAGIC = 0x514649fb; // "QFI\xfb"
const EXT_END = 0x00000000;
const EXT_BACKING_FORMAT = 0xe2792aca;
const EXT_DATA_FILE = 0x44415441;

export type DiskHeader =
  | {
      format: 'qcow2';
      /** 2 (compat 0.10) or 3 (compat 1.1). */
      version: number;
      virtualSize: number;
      clusterSize: number;
      /** The backing file recorded in the header (an increment's pointer; meaningless inside a snapshot). */
      backingFile?: string;
      backingFormat?: string;
      encrypted: boolean;
      internalSnapshots: number;
      /** Incompatible feature bit 0: the image was not closed cleanly (lazy refcounts). */
      dirty: boolean;
      compressionType?: 'zlib' | 'zstd';
      externalDataFile?: string;
    }
  | { format: 'not-qcow2' };

/** A disk file whose qcow2 header Backstone cannot read: the snapshot page says what is wrong. */
export class Qcow2HeaderError extends ExpectedError {
  override name = 'Qcow2HeaderError';
  readonly kind = 'failed';

  override get userMessage(): string {
    return `The disk's qcow2 header could not be read: ${this.message}.`;
  }
}

function u64(b: Buffer, at: number): number {
  const v = b.readBigUInt64BE(at);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Qcow2HeaderError(`a header field at ${at} is out of range`);
  return Number(v);
}

function text(b: Buffer, at: number, len: number): string | undefined {
  if (at + len > b.length) return undefined;
  return b.subarray(at, at + len).toString('utf8');
}

/** Parses the header from the file's first bytes (at least 72; 64 KiB holds the backing name too). */
export function parseQcow2Header(head: Buffer): DiskHeader {
  if (head.length < 4 || head.readUInt32BE(0) !== MAGIC) return { format: 'not-qcow2' };
  if (head.length < 72) throw new Qcow2HeaderError('the qcow2 header is cut short');
  const version = head.readUInt32BE(4);
  if (version !== 2 && version !== 3) throw new Qcow2HeaderError(`unknown qcow2 version ${version}`);
  const backingOffset = u64(head, 8);
  const backingSize = head.readUInt32BE(16);
  const clusterBits = head.readUInt32BE(20);
  if (clusterBits < 9 || clusterBits > 21) throw new Qcow2HeaderError(`bad cluster bits ${clusterBits}`);
  const header: Extract<DiskHeader, { format: 'qcow2' }> = {
    format: 'qcow2',
    version,
    virtualSize: u64(head, 24),
    clusterSize: 2 ** clusterBits,
    encrypted: head.readUInt32BE(32) !== 0,
    internalSnapshots: head.readUInt32BE(60),
    dirty: false,
  };
  if (backingOffset > 0 && backingSize > 0) {
    const name = text(head, backingOffset, backingSize);
    if (name === undefined) throw new Qcow2HeaderError('the backing file name lies beyond the bytes read');
    header.backingFile = name;
  }
  let extensionsAt = 72;
  if (version === 3) {
    if (head.length < 104) throw new Qcow2HeaderError('the qcow2 v3 header is cut short');
    header.dirty = (head.readBigUInt64BE(72) & 1n) === 1n;
    const headerLength = head.readUInt32BE(100);
    if (headerLength < 104) throw new Qcow2HeaderError(`bad header length ${headerLength}`);
    if (headerLength >= 105 && head.length >= 105) header.compressionType = head[104] === 1 ? 'zstd' : 'zlib';
    extensionsAt = headerLength;
  }
  // Header extensions: type, length, data padded to 8 bytes; type 0 ends them.
  let at = extensionsAt;
  while (at + 8 <= head.length) {
    const type = head.readUInt32BE(at);
    const len = head.readUInt32BE(at + 4);
    if (type === EXT_END) break;
    const data = text(head, at + 8, len);
    if (data === undefined) break;
    if (type === EXT_BACKING_FORMAT) header.backingFormat = data;
    if (type === EXT_DATA_FILE) header.externalDataFile = data;
    at += 8 + Math.ceil(len / 8) * 8;
  }
  return header;
}
