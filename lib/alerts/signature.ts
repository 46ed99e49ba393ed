import { createHmac, timingSafeEqual } from 'node:crypto';

// The webhook signature: `sha256=<hex HMAC-SHA256 of the raw body with the secret>`, the shape
// GitHub uses, so receivers can reuse what they know. Computed over the exact bytes sent.

export const SIGNATURE_HEADER = 'X-Backstone-Signature';

export function signBody(body: string | Buffer, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Whether `header` is the signature of `body` with `secret` (constant-time). */
export function verifySignature(body: string | Buffer, secret: string, header: string | null | undefined): boolean {
  if (!header) return false;
  const want = Buffer.from(signBody(body, secret));
  const got = Buffer.from(header);
  return want.length === got.length && timingSafeEqual(want, got);
}
