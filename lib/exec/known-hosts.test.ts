import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fingerprintOf, keyTypeOf, knownHostsName, parseKnownHosts, pinnedKeys, isRevoked } from './known-hosts';

// A real ed25519 public key blob (from ssh-keygen) and a second one.
const KEY_A = 'AAAAC3NzaC1lZDI1NTE5AAAAIFq5mCqI7Hj7tWmOCJ3XbPq3pD9Cw1xL8u0Y9xAqTfFf';
const KEY_B = 'AAAAC3NzaC1lZDI1NTE5AAAAIBgq2e5Yp1l4Q8tdgnFqKzN9XG0r3n6JqHk6nS2cX7lU';

function hashed(name: string): string {
  const salt = randomBytes(20);
  const hash = createHmac('sha1', salt).update(name).digest();
  return `|1|${salt.toString('base64')}|${hash.toString('base64')}`;
}

describe('known_hosts', () => {
  it('names non-22 ports in brackets as OpenSSH does', () => {
    expect(knownHostsName('backup.example', 22)).toBe('backup.example');
    expect(knownHostsName('127.0.0.1', 2222)).toBe('[127.0.0.1]:2222');
  });

  it('finds plain, comma-listed and wildcard entries', () => {
    const entries = parseKnownHosts(
      [
        '# comment',
        `[backup.sandbox]:2222,[127.0.0.1]:2222 ssh-ed25519 ${KEY_A}`,
        `*.example.org ssh-ed25519 ${KEY_B}`,
        `!bad.example.org,*.example.org ssh-ed25519 ${KEY_A}`,
      ].join('\n'),
    );
    expect(pinnedKeys(entries, ['[127.0.0.1]:2222'])).toHaveLength(1);
    expect(pinnedKeys(entries, ['[backup.sandbox]:2222'])[0]?.key.toString('base64')).toBe(KEY_A);
    expect(pinnedKeys(entries, ['[backup.sandbox]:2223'])).toHaveLength(0);
    expect(pinnedKeys(entries, ['a.example.org'])).toHaveLength(2);
    expect(pinnedKeys(entries, ['bad.example.org'])).toHaveLength(1);
  });

  it('matches hashed entries', () => {
    const entries = parseKnownHosts(`${hashed('[10.0.0.8]:2222')} ssh-ed25519 ${KEY_A}\n`);
    expect(pinnedKeys(entries, ['[10.0.0.8]:2222'])).toHaveLength(1);
    expect(pinnedKeys(entries, ['10.0.0.8'])).toHaveLength(0);
  });

  it('honours @revoked and ignores @cert-authority for pinning', () => {
    const entries = parseKnownHosts(`@revoked * ssh-ed25519 ${KEY_B}\n@cert-authority * ssh-ed25519 ${KEY_A}\n`);
    expect(isRevoked(entries, Buffer.from(KEY_B, 'base64'))).toBe(true);
    expect(pinnedKeys(entries, ['host'])).toHaveLength(0);
  });

  it('reads the key type and computes the SHA256 fingerprint as ssh-keygen -l does', () => {
    const blob = Buffer.from(KEY_A, 'base64');
    expect(keyTypeOf(blob)).toBe('ssh-ed25519');
    expect(fingerprintOf(blob)).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });
});
