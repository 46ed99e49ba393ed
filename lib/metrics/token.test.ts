import { describe, expect, it } from 'vitest';
import { checkBearer } from './token';

const TOKEN = 'prometheus-scrape-token-0123456789';

describe('checkBearer', () => {
  it('is off without a configured token, whatever is sent', () => {
    expect(checkBearer(`Bearer ${TOKEN}`, undefined)).toBe('off');
    expect(checkBearer(null, '')).toBe('off');
  });

  it('accepts exactly the configured bearer token', () => {
    expect(checkBearer(`Bearer ${TOKEN}`, TOKEN)).toBe('ok');
    expect(checkBearer(`bearer ${TOKEN}`, TOKEN)).toBe('ok');
  });

  it.each([
    ['missing', null],
    ['empty', ''],
    ['another scheme', `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}`],
    ['the token without a scheme', TOKEN],
    ['a wrong token', 'Bearer wrong'],
    ['a prefix of the token', `Bearer ${TOKEN.slice(0, -1)}`],
    ['the token and more', `Bearer ${TOKEN}x`],
    ['two tokens', `Bearer ${TOKEN} ${TOKEN}`],
    ['an empty bearer', 'Bearer '],
  ])('refuses %s', (_label, header) => {
    expect(checkBearer(header, TOKEN)).toBe('refused');
  });
});
