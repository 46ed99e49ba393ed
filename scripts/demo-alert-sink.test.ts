// The demo's alert sink accepts what lib/alerts signs and refuses anything else: its re-implemented
// check agrees with lib's signature, and only a validly signed alert reaches its file.
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { signBody } from '@/lib/alerts/signature';
import { DEMO_WEBHOOK_SECRET, signatureIsValid, startAlertSink } from './demo-alert-sink';

const dir = mkdtempSync(join(tmpdir(), 'demo-alert-sink-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the demo alert sink', () => {
  it('checks signatures as lib/alerts makes them', () => {
    const body = Buffer.from('{"kind":"alert"}');
    expect(signatureIsValid(body, DEMO_WEBHOOK_SECRET, signBody(body, DEMO_WEBHOOK_SECRET))).toBe(true);
    expect(signatureIsValid(body, DEMO_WEBHOOK_SECRET, signBody(body, 'another-secret-of-16+'))).toBe(false);
    expect(
      signatureIsValid(Buffer.from('{"kind":"other"}'), DEMO_WEBHOOK_SECRET, signBody(body, DEMO_WEBHOOK_SECRET)),
    ).toBe(false);
    expect(signatureIsValid(body, DEMO_WEBHOOK_SECRET, undefined)).toBe(false);
  });

  it('writes a signed alert with 204 and refuses an unsigned one with 401', async () => {
    const file = join(dir, 'alerts.jsonl');
    const sink = await startAlertSink(file);
    try {
      expect(new URL(sink.url).hostname).toBe('127.0.0.1');
      const post = (body: string, signature?: string) =>
        fetch(sink.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(signature ? { 'X-Backstone-Signature': signature } : {}) },
          body,
        });
      expect((await post('{"n":1}')).status).toBe(401);
      expect((await post('{"n":2}', signBody('{"n":1}', DEMO_WEBHOOK_SECRET))).status).toBe(401);
      expect(existsSync(file)).toBe(false);
      expect((await post('{"n":3}', signBody('{"n":3}', DEMO_WEBHOOK_SECRET))).status).toBe(204);
      const lines = readFileSync(file, 'utf8').trim().split('\n');
      expect(lines.map((l) => (JSON.parse(l) as { alert: unknown }).alert)).toEqual([{ n: 3 }]);
    } finally {
      await sink.close();
    }
  });
});
