// For the alert tests: a webhook endpoint on loopback that records every alert it receives, with
// whether its X-Backstone-Signature is right for `secret` (lib's own check), and answers 200.
import { createServer } from 'node:http';
import { verifySignature } from '../signature';

export type ReceivedAlert = { state: string; condition: string; signed: boolean };

export type WebhookReceiver = {
  url: string;
  /** Every alert received so far, in order. */
  got: ReceivedAlert[];
  close: () => Promise<void>;
};

export async function startWebhookReceiver(secret: string): Promise<WebhookReceiver> {
  const got: ReceivedAlert[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const json = JSON.parse(body) as { state: string; condition: string };
      const header = req.headers['x-backstone-signature'];
      got.push({
        state: json.state,
        condition: json.condition,
        signed: verifySignature(body, secret, typeof header === 'string' ? header : undefined),
      });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    got,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
