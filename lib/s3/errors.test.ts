import { describe, expect, it } from 'vitest';
import { registerSecret } from '@/lib/log/redact';
import {
  classifyS3Error,
  S3AccessDenied,
  S3BucketMissing,
  S3CredentialsRefused,
  S3Failed,
  S3TimedOut,
  S3TlsUntrusted,
  S3Unreachable,
} from './errors';

const where = { endpoint: 'http://127.0.0.1:9000', bucket: 'backups' };
const sdk = (name: string, status?: number) =>
  Object.assign(new Error(name), { name, $metadata: { httpStatusCode: status } });
const net = (code: string) => Object.assign(new Error(code), { code });

describe('classifyS3Error', () => {
  it('tells a wrong key ID from a wrong secret, each with its attribute to fix', () => {
    const id = classifyS3Error(sdk('InvalidAccessKeyId', 403), where, 'x');
    expect(id).toBeInstanceOf(S3CredentialsRefused);
    expect(id.message).toContain('RESTIC_S3_ACCESS_KEY_ID');
    const secret = classifyS3Error(sdk('SignatureDoesNotMatch', 403), where, 'x');
    expect(secret.message).toContain('RESTIC_S3_SECRET_ACCESS_KEY');
  });

  it('maps a missing bucket, a denial and a HEAD 404 on the bucket', () => {
    expect(classifyS3Error(sdk('NoSuchBucket', 404), where, 'listing')).toBeInstanceOf(S3BucketMissing);
    expect(classifyS3Error(sdk('NotFound', 404), where, 'reading the bucket')).toBeInstanceOf(S3BucketMissing);
    expect(classifyS3Error(sdk('NotFound', 404), where, 'reading the bucket').status).toBe(404);
    expect(classifyS3Error(sdk('AccessDenied', 403), where, 'listing')).toBeInstanceOf(S3AccessDenied);
  });

  it('maps TLS failures to RESTIC_S3_CACERT', () => {
    const e = classifyS3Error(
      Object.assign(new Error('self-signed'), { cause: { code: 'DEPTH_ZERO_SELF_SIGNED_CERT' } }),
      where,
      'x',
    );
    expect(e).toBeInstanceOf(S3TlsUntrusted);
    expect(e.message).toContain('RESTIC_S3_CACERT');
    expect(e.kind).toBe('unreachable');
  });

  it('maps network failures and HTTPS spoken to an HTTP endpoint', () => {
    expect(classifyS3Error(net('ECONNREFUSED'), where, 'x')).toBeInstanceOf(S3Unreachable);
    expect(classifyS3Error(net('ENOTFOUND'), where, 'x').message).toContain('does not resolve');
    expect(classifyS3Error(net('EPROTO'), where, 'x').message).toContain('http://HOST:PORT');
  });

  it("says Backstone's deadline passed, and keeps unknown failures short", () => {
    expect(classifyS3Error(new Error('aborted'), where, 'listing', 15_000)).toBeInstanceOf(S3TimedOut);
    const other = classifyS3Error(new Error('x'.repeat(1000)), where, 'listing');
    expect(other).toBeInstanceOf(S3Failed);
    expect(other.message.length).toBeLessThan(400);
  });

  it('never carries a registered secret', () => {
    registerSecret('S3SECRETVALUE123');
    const e = classifyS3Error(new Error('bad S3SECRETVALUE123'), where, 'x');
    expect(e.message).not.toContain('S3SECRETVALUE123');
  });
});
