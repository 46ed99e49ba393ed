import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

// OpenSSH known_hosts: plain entries ("host1,[host2]:2222 ssh-ed25519 AAAA...") and hashed ones
// ("|1|salt|hash ssh-ed25519 AAAA..."). Backstone pins host keys from this file: a key that is not
// there is unknown, a different key for a listed host has changed.

export type KnownHostEntry = {
  marker?: '@cert-authority' | '@revoked';
  /** Comma-separated patterns, or a hashed host. */
  hosts: { kind: 'patterns'; patterns: string[] } | { kind: 'hashed'; salt: Buffer; hash: Buffer };
  keyType: string;
  key: Buffer;
};

export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry['marker'];
    if (fields[0] === '@cert-authority' || fields[0] === '@revoked')
      marker = fields.shift() as KnownHostEntry['marker'];
    const [hostField, keyType, keyB64] = fields;
    if (!hostField || !keyType || !keyB64) continue;
    let hosts: KnownHostEntry['hosts'];
    if (hostField.startsWith('|1|')) {
      const [, , salt, hash] = hostField.split('|');
      if (!salt || !hash) continue;
      hosts = { kind: 'hashed', salt: Buffer.from(salt, 'base64'), hash: Buffer.from(hash, 'base64') };
    } else {
      hosts = { kind: 'patterns', patterns: hostField.split(',') };
    }
    entries.push({ marker, hosts, keyType, key: Buffer.from(keyB64, 'base64') });
  }
  return entries;
}

/** The name OpenSSH looks up for a host and port: "host" on 22, "[host]:port" otherwise. */
export function knownHostsName(host: string, port: number): string {
  return port === 22 ? host : `[${host}]:${port}`;
}

function globToRegExp(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

function entryMatches(entry: KnownHostEntry, name: string): boolean {
  if (entry.hosts.kind === 'hashed') {
    const h = createHmac('sha1', entry.hosts.salt).update(name).digest();
    return h.length === entry.hosts.hash.length && timingSafeEqual(h, entry.hosts.hash);
  }
  let matched = false;
  for (const p of entry.hosts.patterns) {
    const negated = p.startsWith('!');
    if (globToRegExp(negated ? p.slice(1) : p).test(name)) {
      if (negated) return false;
      matched = true;
    }
  }
  return matched;
}

/** The pinned keys for any of the names (a host alias and its HostName, with the port). */
export function pinnedKeys(entries: readonly KnownHostEntry[], names: readonly string[]): KnownHostEntry[] {
  return entries.filter((e) => e.marker === undefined && names.some((n) => entryMatches(e, n)));
}

export function isRevoked(entries: readonly KnownHostEntry[], key: Buffer): boolean {
  return entries.some((e) => e.marker === '@revoked' && e.key.equals(key));
}

/** The key type named inside an SSH public key blob (its first string). */
export function keyTypeOf(blob: Buffer): string {
  if (blob.length < 4) return 'unknown';
  const len = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + len).toString('ascii');
}

/** OpenSSH's SHA256 fingerprint of a public key blob. */
export function fingerprintOf(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** A known_hosts line pinning `blob` for the given names. */
export function knownHostsLine(names: readonly string[], blob: Buffer): string {
  return `${names.join(',')} ${keyTypeOf(blob)} ${blob.toString('base64')}`;
}
