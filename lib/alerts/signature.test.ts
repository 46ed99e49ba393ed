import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signBody, verifySignature } from './signature';

describe('webhook signature', () => {
  const body = '{"state":"test","condition":"test"}';
  const secret = 'a-webhook-secret-of-some-length';

  it('is sha256= and the hex HMAC-SHA256 of the raw body', () => {
    const hex = createHmac('sha256', secret).update(body).digest('hex');
    expect(signBody(body, secret)).toBe(`sha256=${hex}`);
    expect(signBody(Buffer.from(body), secret)).toBe(`sha256=${hex}`);
  });

  it('verifies only the same body with the same secret', () => {
    const sig = signBody(body, secret);
    expect(verifySignature(body, secret, sig)).toBe(true);
    expect(verifySignature(`${body} `, secret, sig)).toBe(false);
    expect(verifySignature(body, `${secret}x`, sig)).toBe(false);
    expect(verifySignature(body, secret, undefined)).toBe(false);
    expect(verifySignature(body, secret, 'sha256=00')).toBe(false);
  });
});
