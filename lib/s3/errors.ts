import { ExpectedError, type ErrorKind } from '@/lib/errors/expected-error';
import { redact } from '@/lib/log/redact';

// What goes wrong between Backstone and an S3 endpoint, each as a typed error whose message says
// what happened and the exact fix in the datastore's RESTIC_S3_* attributes. Pure: no I/O.

export type S3ErrorCode =
  'CREDENTIALS' | 'ACCESS_DENIED' | 'NO_BUCKET' | 'TLS' | 'UNREACHABLE' | 'TIMED_OUT' | 'NOT_FOR_S3' | 'FAILED';

export class S3Error extends ExpectedError {
  override name = 'S3Error';
  readonly kind: ErrorKind;
  constructor(
    readonly code: S3ErrorCode,
    message: string,
    kind: ErrorKind = 'failed',
  ) {
    super(redact(message));
    this.kind = kind;
  }
}

/** Where the failure happened, for the message: the endpoint and bucket, never a key. */
export type S3Where = { endpoint: string; bucket: string };

export class S3CredentialsRefused extends S3Error {
  override name = 'S3CredentialsRefused';
  constructor(
    where: S3Where,
    readonly which: 'access-key' | 'secret-key',
  ) {
    super(
      'CREDENTIALS',
      which === 'access-key'
        ? `The S3 endpoint ${where.endpoint} does not know the access key ID. Check RESTIC_S3_ACCESS_KEY_ID in the datastore's template.`
        : `The S3 endpoint ${where.endpoint} refused the signature: the secret access key does not match the access key ID. Check RESTIC_S3_SECRET_ACCESS_KEY in the datastore's template.`,
    );
  }
}

export class S3AccessDenied extends S3Error {
  override name = 'S3AccessDenied';
  constructor(where: S3Where, action: string) {
    super(
      'ACCESS_DENIED',
      `The S3 endpoint ${where.endpoint} denied ${action} on bucket ${where.bucket}. Give the access key's user s3:ListBucket, s3:GetObject, s3:PutObject and s3:DeleteObject on that bucket.`,
    );
  }
}

export class S3BucketMissing extends S3Error {
  override name = 'S3BucketMissing';
  constructor(where: S3Where) {
    super(
      'NO_BUCKET',
      `There is no bucket ${where.bucket} at ${where.endpoint}. Create it, or correct RESTIC_S3_BUCKET (and RESTIC_S3_REGION) in the datastore's template.`,
      'not-found',
    );
  }
}

export class S3TlsUntrusted extends S3Error {
  override name = 'S3TlsUntrusted';
  constructor(where: S3Where, reason: string) {
    super(
      'TLS',
      `The TLS certificate of ${where.endpoint} is not trusted (${reason}). Set RESTIC_S3_CACERT to the CA certificate file that signed it, or correct RESTIC_S3_ENDPOINT; RESTIC_S3_INSECURE_TLS="YES" skips the check (not advised).`,
      'unreachable',
    );
  }
}

export class S3Unreachable extends S3Error {
  override name = 'S3Unreachable';
  constructor(where: S3Where, reason: string, fix?: string) {
    super(
      'UNREACHABLE',
      `The S3 endpoint ${where.endpoint} could not be reached (${reason}). ${fix ?? 'Check RESTIC_S3_ENDPOINT (host, port and http:// or https://) and that the S3 service runs and Backstone may connect to it.'}`,
      'unreachable',
    );
  }
}

export class S3TimedOut extends S3Error {
  override name = 'S3TimedOut';
  constructor(where: S3Where, what: string, ms: number) {
    super(
      'TIMED_OUT',
      `The S3 endpoint ${where.endpoint} did not answer ${what} within ${Math.round(ms / 1000)} s. Check that RESTIC_S3_ENDPOINT is right and the S3 service is not overloaded.`,
      'unreachable',
    );
  }
}

export class S3Failed extends S3Error {
  override name = 'S3Failed';
  constructor(where: S3Where, what: string, reason: string) {
    super('FAILED', `S3 ${what} on ${where.endpoint}/${where.bucket} failed: ${reason.slice(0, 300)}`);
  }
}

/** A feature Backstone does not have for S3 datastores yet: refused, nothing done. */
export class NotYetForS3 extends S3Error {
  override name = 'NotYetForS3';
  constructor(what: string) {
    super('NOT_FOR_S3', `${what} is not yet available for S3 datastores.`, 'conflict');
  }
}

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

const NET_REASONS: Readonly<Record<string, string>> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name does not resolve',
  EHOSTUNREACH: 'no route to the host',
  ENETUNREACH: 'no route to the host',
  ECONNRESET: 'the connection was reset',
  ETIMEDOUT: 'the connection timed out',
};

type SdkError = {
  name?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
  cause?: unknown;
};

function codeOf(err: SdkError): string | undefined {
  if (err.code) return err.code;
  const c = err.cause as SdkError | undefined;
  return c && typeof c === 'object' ? c.code : undefined;
}

/**
 * Turns what the S3 client threw into the typed error that says what happened. `what` names the
 * request for the message ("listing the bucket"); `timedOut` says Backstone's own deadline passed.
 */
export function classifyS3Error(err: unknown, where: S3Where, what: string, timedOut?: number): S3Error {
  if (err instanceof S3Error) return err;
  const e = (err && typeof err === 'object' ? err : { message: String(err) }) as SdkError;
  const name = e.name ?? '';
  const code = codeOf(e) ?? '';
  const status = e.$metadata?.httpStatusCode;
  if (timedOut !== undefined) return new S3TimedOut(where, what, timedOut);
  if (name === 'InvalidAccessKeyId') return new S3CredentialsRefused(where, 'access-key');
  if (name === 'SignatureDoesNotMatch') return new S3CredentialsRefused(where, 'secret-key');
  if (name === 'NoSuchBucket' || (name === 'NotFound' && /bucket/i.test(what))) return new S3BucketMissing(where);
  if (name === 'AccessDenied' || name === 'Forbidden' || status === 403) return new S3AccessDenied(where, what);
  if (TLS_CODES.has(code)) return new S3TlsUntrusted(where, code.toLowerCase().replaceAll('_', ' '));
  if (code === 'EPROTO' || /wrong version number|packet length too long/i.test(e.message ?? ''))
    return new S3Unreachable(
      where,
      'it does not speak TLS',
      'The endpoint answers plain HTTP: write it as http://HOST:PORT in RESTIC_S3_ENDPOINT.',
    );
  const net = NET_REASONS[code];
  if (net) return new S3Unreachable(where, net);
  if (name === 'TimeoutError' || code === 'ETIMEDOUT') return new S3Unreachable(where, 'the connection timed out');
  return new S3Failed(where, what, e.message || name || 'unknown error');
}
