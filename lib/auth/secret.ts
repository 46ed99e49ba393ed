import 'server-only';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { getConfig } from '@/lib/config';
import { registerSecret } from '@/lib/log/redact';

// The secret that seals session cookies: from configuration, or generated once into the data
// folder (0600) so sessions survive restarts.

let cached: string | undefined;

export function sessionSecret(): string {
  if (cached) return cached;
  const { session, dataDir } = getConfig();
  let secret = session.secret;
  if (!secret) {
    const file = join(dataDir, 'session-secret');
    try {
      secret = readFileSync(file, 'utf8').trim();
    } catch {
      mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      const fresh = randomBytes(48).toString('base64url');
      try {
        writeFileSync(file, fresh, { mode: 0o600, flag: 'wx' });
        secret = fresh;
      } catch {
        // Another request wrote it first.
        secret = readFileSync(file, 'utf8').trim();
      }
    }
  }
  if (secret.length < 32) throw new Error('The session secret must be at least 32 characters.');
  registerSecret(secret);
  cached = secret;
  return secret;
}
