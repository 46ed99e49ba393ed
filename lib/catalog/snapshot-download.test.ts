import { describe, expect, it } from 'vitest';
import { storedFileName } from './snapshot-download';

describe('storedFileName', () => {
  it('names each stored file for what its bytes are', () => {
    expect(storedFileName('vm-0-1a2b3c4d', { name: 'disk.0.3', kind: 'disk' })).toBe('vm-0-1a2b3c4d-disk.0.3.qcow2');
    // The driver stores vm.xml base64-encoded: not an .xml file as it is.
    expect(storedFileName('vm-0-1a2b3c4d', { name: 'vm.xml', kind: 'vm.xml' })).toBe('vm-0-1a2b3c4d-vm.xml.b64');
    expect(storedFileName('vm-0-1a2b3c4d', { name: 'tpm.0', kind: 'tpm' })).toBe('vm-0-1a2b3c4d-tpm.0');
  });
});
