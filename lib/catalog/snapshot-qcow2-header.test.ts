import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseQcow2Header, Qcow2HeaderError } from './snapshot-qcow2-header';

// Fixtures: the first 4 KiB of files made with qemu-img 7.2 (see __fixtures__/qcow2/README.md).
const head = (name: string) => readFileSync(join(import.meta.dirname, '__fixtures__', 'qcow2', `${name}.head`));

describe('parseQcow2Header', () => {
  it('reads a standalone qcow2 v3 (a FULL backup or a chain start)', () => {
    expect(parseQcow2Header(head('base.qcow2'))).toEqual({
      format: 'qcow2',
      version: 3,
      virtualSize: 32 * 1024 * 1024,
      clusterSize: 65536,
      encrypted: false,
      internalSnapshots: 0,
      dirty: false,
      compressionType: 'zlib',
    });
  });

  it('reads an overlay: its backing file and format', () => {
    const h = parseQcow2Header(head('overlay.qcow2'));
    expect(h).toMatchObject({
      format: 'qcow2',
      version: 3,
      backingFile: '/var/lib/one/datastores/0/42/backup/disk.0.0',
      backingFormat: 'qcow2',
    });
  });

  it('reads a CBT increment pointing at the NBD socket (raw backing)', () => {
    expect(parseQcow2Header(head('nbd-overlay.qcow2'))).toMatchObject({
      backingFile: 'nbd+unix:///?socket=/var/lib/one/datastores/0/42/disk.0.socket',
      backingFormat: 'raw',
    });
  });

  it('reads compat 0.10 (version 2) and large clusters', () => {
    expect(parseQcow2Header(head('v2.qcow2'))).toMatchObject({ version: 2, virtualSize: 1024 ** 3 });
    expect(parseQcow2Header(head('v2.qcow2'))).not.toHaveProperty('compressionType');
    expect(parseQcow2Header(head('big-cluster.qcow2'))).toMatchObject({
      clusterSize: 2 * 1024 * 1024,
      virtualSize: 10 * 1024 ** 3,
    });
  });

  it('says when a file is not qcow2', () => {
    expect(parseQcow2Header(head('raw.img'))).toEqual({ format: 'not-qcow2' });
    expect(parseQcow2Header(Buffer.alloc(0))).toEqual({ format: 'not-qcow2' });
  });

  it('refuses a header cut short, with the backing name out of reach', () => {
    expect(() => parseQcow2Header(head('base.qcow2').subarray(0, 50))).toThrow(Qcow2HeaderError);
    expect(() => parseQcow2Header(head('overlay.qcow2').subarray(0, 200))).toThrow(/beyond the bytes read/);
  });
});
