// A self-signed CA and a server certificate for 127.0.0.1 (and localhost), made with openssl, so
// tests can check that clients refuse an untrusted certificate and accept it with the CA.
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runOk } from '../common/process';

export type TlsFiles = { caCertPath: string; certPath: string; keyPath: string };

export async function ensureTls(dir: string): Promise<TlsFiles> {
  // The CA certificate must be readable by whoever runs restic (the sandbox's oneadmin account);
  // the keys stay 0600.
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const files = {
    caCertPath: join(dir, 'ca.crt'),
    caKey: join(dir, 'ca.key'),
    certPath: join(dir, 'server.crt'),
    keyPath: join(dir, 'server.key'),
    csr: join(dir, 'server.csr'),
    ext: join(dir, 'server.ext'),
  };
  if (!existsSync(files.certPath)) {
    await runOk('openssl', [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '3650',
      '-keyout',
      files.caKey,
      '-out',
      files.caCertPath,
      '-subj',
      '/CN=Backstone sandbox S3 CA',
    ]);
    await runOk('openssl', [
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      files.keyPath,
      '-out',
      files.csr,
      '-subj',
      '/CN=127.0.0.1',
    ]);
    writeFileSync(files.ext, 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n');
    await runOk('openssl', [
      'x509',
      '-req',
      '-in',
      files.csr,
      '-CA',
      files.caCertPath,
      '-CAkey',
      files.caKey,
      '-CAcreateserial',
      '-days',
      '3650',
      '-extfile',
      files.ext,
      '-out',
      files.certPath,
    ]);
  }
  chmodSync(files.caCertPath, 0o644);
  for (const key of [files.caKey, files.keyPath]) chmodSync(key, 0o600);
  return { caCertPath: files.caCertPath, certPath: files.certPath, keyPath: files.keyPath };
}
