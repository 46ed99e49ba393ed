// Reads and writes restic's encrypted repository files with the repository's own master key, for
// the benchmark's dataset only: 10,000 real snapshots in one repository without 10,000 `restic
// backup` runs (each one spends ~0.5 s of CPU deriving the key with scrypt; 10,000 of them would
// take more than an hour on 2 cores). The snapshot files written here are what `restic backup`
// writes (restic's design document, "Keys, Encryption and MAC" and "Snapshots"): AES-256-CTR with
// a random IV, then Poly1305-AES over the ciphertext; the file's name is the SHA-256 of its
// content. restic lists, reads and checks them like any other snapshot.
import { createCipheriv, createDecipheriv, createHash, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';

export type MasterKey = { encrypt: Buffer; macK: Buffer; macR: Buffer };

const P1305 = (1n << 130n) - 5n;

function leBigInt(b: Buffer): bigint {
  let n = 0n;
  for (let i = b.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i]!);
  return n;
}

/** Poly1305 with restic's key preparation: r clamped, s = AES-128_k(nonce). */
function poly1305Aes(msg: Buffer, nonce: Buffer, key: MasterKey): Buffer {
  const r = Buffer.from(key.macR);
  for (const i of [3, 7, 11, 15]) r[i]! &= 0x0f;
  for (const i of [4, 8, 12]) r[i]! &= 0xfc;
  const rn = leBigInt(r);
  const aes = createCipheriv('aes-128-ecb', key.macK, null).setAutoPadding(false);
  const s = leBigInt(Buffer.concat([aes.update(nonce), aes.final()]));
  let acc = 0n;
  for (let off = 0; off < msg.length; off += 16) {
    const chunk = msg.subarray(off, off + 16);
    acc = ((acc + leBigInt(Buffer.concat([chunk, Buffer.from([1])]))) * rn) % P1305;
  }
  let tag = (acc + s) & ((1n << 128n) - 1n);
  const out = Buffer.alloc(16);
  for (let i = 0; i < 16; i++) {
    out[i] = Number(tag & 0xffn);
    tag >>= 8n;
  }
  return out;
}

export function decrypt(file: Buffer, key: MasterKey): Buffer {
  const iv = file.subarray(0, 16);
  const ct = file.subarray(16, file.length - 16);
  const mac = file.subarray(file.length - 16);
  if (!timingSafeEqual(mac, poly1305Aes(ct, iv, key))) throw new Error('restic file: MAC mismatch');
  const d = createDecipheriv('aes-256-ctr', key.encrypt, iv);
  return Buffer.concat([d.update(ct), d.final()]);
}

export function encrypt(plain: Buffer, key: MasterKey): Buffer {
  const iv = randomBytes(16);
  const c = createCipheriv('aes-256-ctr', key.encrypt, iv);
  const ct = Buffer.concat([c.update(plain), c.final()]);
  return Buffer.concat([iv, ct, poly1305Aes(ct, iv, key)]);
}

/** The master key from a keys/ file and the repository password (one scrypt, like restic's own). */
export function masterKey(keyFile: string, password: string): MasterKey {
  const k = JSON.parse(keyFile) as { kdf: string; N: number; r: number; p: number; salt: string; data: string };
  if (k.kdf !== 'scrypt') throw new Error(`unsupported kdf ${k.kdf}`);
  const d = scryptSync(password, Buffer.from(k.salt, 'base64'), 64, {
    N: k.N,
    r: k.r,
    p: k.p,
    maxmem: 256 * k.N * k.r + 1024 * 1024,
  });
  const user: MasterKey = { encrypt: d.subarray(0, 32), macK: d.subarray(32, 48), macR: d.subarray(48, 64) };
  const m = JSON.parse(decrypt(Buffer.from(k.data, 'base64'), user).toString('utf8')) as {
    mac: { k: string; r: string };
    encrypt: string;
  };
  return {
    encrypt: Buffer.from(m.encrypt, 'base64'),
    macK: Buffer.from(m.mac.k, 'base64'),
    macR: Buffer.from(m.mac.r, 'base64'),
  };
}

/** A snapshot file: its name (the storage ID restic lists) and content. Plain JSON is valid in v1 and v2. */
export function snapshotFile(snapshot: object, key: MasterKey): { id: string; content: Buffer } {
  const content = encrypt(Buffer.from(JSON.stringify(snapshot)), key);
  return { id: createHash('sha256').update(content).digest('hex'), content };
}
