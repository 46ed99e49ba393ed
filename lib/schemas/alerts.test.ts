import { describe, expect, it } from 'vitest';
import { AlertRulesSchema, EmailChannelSchema, SendTestSchema, WebhookChannelSchema } from './alerts';

const email = {
  host: 'smtp.example.com',
  port: '587',
  security: 'starttls',
  from: 'backstone@example.com',
  to: 'oncall@example.com, lead@example.com',
};

describe('alerts settings schemas', () => {
  it('reads the rules as whole numbers within their bounds, the digest as a checkbox', () => {
    const ok = AlertRulesSchema.parse({
      fullPercent: '85',
      fullWithinDays: '14',
      digest: 'on',
      digestHourUtc: '23',
    });
    expect(ok).toEqual({ fullPercent: 85, fullWithinDays: 14, digest: true, digestHourUtc: 23 });
    for (const bad of [{ fullPercent: '101' }, { fullPercent: '9e1' }, { digestHourUtc: '24' }, { digest: 'yes' }])
      expect(
        AlertRulesSchema.safeParse({
          fullPercent: '90',
          fullWithinDays: '30',
          digestHourUtc: '8',
          ...bad,
        }).success,
      ).toBe(false);
  });

  it('takes an email channel with recipients as a list; an empty password keeps the stored one', () => {
    const c = EmailChannelSchema.parse({ ...email, password: '' });
    expect(c).toMatchObject({ port: 587, to: ['oncall@example.com', 'lead@example.com'], enabled: false });
    expect(c.password).toBeUndefined();
    expect(EmailChannelSchema.parse({ ...email, password: 'pa ss' }).password).toBe('pa ss');
  });

  it('refuses hosts, addresses and passwords that could carry anything else', () => {
    for (const bad of [
      { host: 'smtp.example.com\r\nRCPT TO:<x@y>' },
      { host: 'a b' },
      { port: '0' },
      { security: 'ssl' },
      { from: 'not an address' },
      { to: '' },
      { to: Array.from({ length: 21 }, (_, i) => `u${i}@example.com`).join(',') },
      { password: 'line\nbreak' },
    ])
      expect(EmailChannelSchema.safeParse({ ...email, ...bad }).success, JSON.stringify(bad)).toBe(false);
  });

  it('takes an http(s) webhook URL and a secret of at least 16 characters', () => {
    expect(WebhookChannelSchema.parse({ url: 'https://hooks.example.com/x', secret: 's'.repeat(16) }).secret).toBe(
      's'.repeat(16),
    );
    expect(WebhookChannelSchema.parse({ url: 'http://127.0.0.1:8080/x', secret: '' }).secret).toBeUndefined();
    for (const bad of [
      { url: 'javascript:alert(1)' },
      { url: 'file:///etc/passwd' },
      { url: 'ftp://example.com/' },
      { url: 'https://x.example/', secret: 'short' },
    ])
      expect(WebhookChannelSchema.safeParse({ secret: 's'.repeat(16), ...bad }).success, JSON.stringify(bad)).toBe(
        false,
      );
  });

  it('sends a test on email or webhook only', () => {
    expect(SendTestSchema.parse({ channel: 'webhook' })).toEqual({ channel: 'webhook' });
    expect(SendTestSchema.safeParse({ channel: 'sms' }).success).toBe(false);
  });
});
