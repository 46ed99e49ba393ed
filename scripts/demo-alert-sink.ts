// The demo's alert receiver: a small webhook sink on loopback that checks each request's
// X-Backstone-Signature, answers 204 and appends the alert to a JSON-lines file, so `npm run demo`
// has somewhere to send alerts and /alerts shows a history of sent messages.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The demo webhook's secret: public, like the sandbox's passwords; a real one is never shown. */
export const DEMO_WEBHOOK_SECRET = 'backstone-demo-webhook-secret';

const SIGNATURE_HEADER = 'x-backstone-signature';
const MAX_BODY = 1_000_000;

// The same algorithm as lib/alerts/signature.ts (`sha256=<hex HMAC-SHA256 of the raw body>`),
// re-implemented here as any receiver would: the sink checks what Backstone sends, not itself.
export function signatureIsValid(body: Buffer, secret: string, header: string | undefined): boolean {
  if (!header) return false;
  const want = Buffer.from(`sha256=${createHmac('sha256', secret).update(body).digest('hex')}`);
  const got = Buffer.from(header);
  return want.length === got.length && timingSafeEqual(want, got);
}

export type AlertSink = { url: string; file: string; close(): Promise<void> };

/** Starts the sink on 127.0.0.1 at a free port; alerts with a valid signature go to `file`. */
export function startAlertSink(file: string, secret = DEMO_WEBHOOK_SECRET): Promise<AlertSink> {
  const server: Server = createServer((req, res) => {
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST' }).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) req.destroy();
      else chunks.push(c);
    });
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const header = req.headers[SIGNATURE_HEADER];
      if (!signatureIsValid(body, secret, typeof header === 'string' ? header : undefined)) {
        res.writeHead(401).end();
        return;
      }
      let alert: unknown;
      try {
        alert = JSON.parse(body.toString('utf8'));
      } catch {
        res.writeHead(400).end();
        return;
      }
      appendFileSync(file, `${JSON.stringify({ receivedAt: new Date().toISOString(), alert })}\n`);
      res.writeHead(204).end();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${port}/alerts`,
        file,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
