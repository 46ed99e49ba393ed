import 'server-only';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent as HttpsAgent } from 'node:https';
import { rootCertificates } from 'node:tls';
import { S3Client } from '@aws-sdk/client-s3';
import { processWide } from '@/lib/config/process-wide';
import { registerSecret } from '@/lib/log/redact';
import { S3Error } from './errors';
import { endpointUrl, type S3Settings } from './settings';

// One S3 client per datastore's settings, kept while the settings stay the same (a changed key or
// CA file makes a new one). The client retries once at most: Backstone's callers bound every call
// and say what went wrong, rather than letting the SDK back off for long.

const CONNECT_TIMEOUT_MS = 5_000;
const clients = processWide('s3.clients', () => new Map<string, S3Client>());
const MAX_CLIENTS = 64;

/** The RESTIC_S3_CACERT file could not be read where Backstone runs (restic needs it there too). */
export class S3CaCertUnreadable extends S3Error {
  override name = 'S3CaCertUnreadable';
  constructor(path: string, reason: string) {
    super(
      'TLS',
      `The CA certificate file ${path} (RESTIC_S3_CACERT) cannot be read on Backstone's machine (${reason}). For S3 datastores restic runs where Backstone runs: copy the file there, readable by Backstone's user.`,
      'unreachable',
    );
  }
}

function keyOf(s: S3Settings): string {
  return createHash('sha256').update(JSON.stringify(s)).digest('hex');
}

function readCa(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new S3CaCertUnreadable(path, (err as NodeJS.ErrnoException).code ?? 'unreadable');
  }
}

export function s3Client(s: S3Settings): S3Client {
  registerSecret(s.secretAccessKey);
  const key = keyOf(s);
  const known = clients.get(key);
  if (known) return known;
  const ca = s.caCert ? readCa(s.caCert) : undefined;
  const client = new S3Client({
    endpoint: endpointUrl(s),
    region: s.region,
    forcePathStyle: s.pathStyle,
    credentials: { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey },
    maxAttempts: 2,
    requestHandler: {
      connectionTimeout: CONNECT_TIMEOUT_MS,
      // A CA file adds to Node's own roots, as restic's --cacert adds to the system's.
      httpsAgent: new HttpsAgent({
        keepAlive: true,
        rejectUnauthorized: !s.insecureTls,
        ...(ca ? { ca: [...rootCertificates, ca] } : {}),
      }),
    },
  });
  if (clients.size >= MAX_CLIENTS) {
    const [oldestKey, oldest] = clients.entries().next().value ?? [];
    if (oldestKey !== undefined) clients.delete(oldestKey);
    oldest?.destroy();
  }
  clients.set(key, client);
  return client;
}

export function forgetS3Clients(): void {
  for (const c of clients.values()) c.destroy();
  clients.clear();
}
