import 'server-only';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getConfig } from '@/lib/config';
import { registerSecret } from '@/lib/log/redact';

// The alert channels' secrets (SMTP password, webhook secret) at rest in the store: AES-256-GCM
// with a key from BACKSTONE_ALERTS_KEY, or else one generated once into the data folder (0600), so
// a copy of the database alone does not hand them out. Never shown back, never logged: whatever
// is unsealed is registered with the redactor.

const VERSION = 'v1';
const KEY_FILE = 'alerts-key';

function keyFromFile(dataDir: string): Buffer {
  const file = join(dataDir, KEY_FILE);
  const read = () => Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  try {
    return read();
  } catch {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    try {
      const fresh = randomBytes(32);
      writeFileSync(file, fresh.toString('base64'), { mode: 0o600, flag: 'wx' });
      return fresh;
    } catch {
      // Another process wrote it first.
      return read();
    }
  }
}

/** The key, read per call: tests (and an admin rotating the file) change it without a restart. */
export function alertsKey(): Buffer {
  const { alerts, dataDir } = getConfig();
  const key = alerts.key ?? keyFromFile(dataDir);
  if (key.length !== 32) throw new Error('The alerts key must be 32 bytes (BACKSTONE_ALERTS_KEY or the data folder).');
  return key;
}

export function sealSecret(plain: string, key: Buffer = alertsKey()): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url')}`;
}

/** The secret, or undefined when it was sealed with another key or altered. */
export function unsealSecret(sealed: string, key: Buffer = alertsKey()): string | undefined {
  const [version, data] = sealed.split('.');
  if (version !== VERSION || !data) return undefined;
  const raw = Buffer.from(data, 'base64url');
  if (raw.length < 28) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    const plain = Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    registerSecret(plain);
    return plain;
  } catch {
    return undefined;
  }
}
