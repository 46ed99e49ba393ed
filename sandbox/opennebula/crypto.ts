// RESTIC_PASSWORD at rest, as oned keeps DATASTORE_ENCRYPTED_ATTR: AES-256-CBC, base64. The key
// (ONE_KEY) is a file in the state folder that only its owner can read.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { FrontendPaths } from './paths';

/**
 * The datastore attributes kept encrypted. oned.conf lists RESTIC_PASSWORD; the 7.4 docs say the S3
 * secret key is "Stored encrypted" too (unverified in oned.conf). The sandbox encrypts both, so a
 * client that reads them must ask for `--decrypt`, which works whichever way a real oned does it.
 */
export const ENCRYPTED_DS_ATTRS = ['RESTIC_PASSWORD', 'RESTIC_S3_SECRET_ACCESS_KEY'] as const;

export function ensureOneKey(paths: FrontendPaths): void {
  if (!existsSync(paths.oneKey))
    writeFileSync(paths.oneKey, randomBytes(32).toString('hex'), { mode: 0o600, flag: 'wx' });
}

function keyAndIv(paths: FrontendPaths): { key: Buffer; iv: Buffer } {
  const secret = readFileSync(paths.oneKey, 'utf8').trim();
  const key = createHash('sha256').update(secret).digest();
  // oned uses a fixed IV per key, so the same value always gives the same ciphertext.
  const iv = createHash('sha256').update(`iv:${secret}`).digest().subarray(0, 16);
  return { key, iv };
}

export function encrypt(paths: FrontendPaths, clear: string): string {
  const { key, iv } = keyAndIv(paths);
  const c = createCipheriv('aes-256-cbc', key, iv);
  return Buffer.concat([c.update(clear, 'utf8'), c.final()]).toString('base64');
}

export function decrypt(paths: FrontendPaths, cipherText: string): string {
  const { key, iv } = keyAndIv(paths);
  const d = createDecipheriv('aes-256-cbc', key, iv);
  return Buffer.concat([d.update(Buffer.from(cipherText, 'base64')), d.final()]).toString('utf8');
}
