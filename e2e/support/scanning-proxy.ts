// A loopback HTTP proxy in front of the app for the whole end-to-end run: every response (status
// line, headers and body, streamed, with backpressure, asked for uncompressed) is searched for the
// secrets, so "no HTTP response holds a secret" covers the browser, the specs' own requests and
// every download.
// It connects to the app from the client's own loopback address, so the app still sees each
// client's address (sign-in throttling is per address).
import { appendFileSync, writeFileSync } from 'node:fs';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { findSecrets, longest, patternsOf, readSecrets } from './secrets';

export type ScanningProxy = { url: string; server: Server; stop: () => Promise<void> };

export async function startScanningProxy(
  target: string,
  files: { secrets: string; hits: string; stats: string },
): Promise<ScanningProxy> {
  const upstream = new URL(target);
  let patterns = readSecrets(files.secrets).flatMap(patternsOf);
  let responses = 0;
  let bytes = 0;
  /** Responses whose body came compressed: a byte search would not find a secret in them. */
  let encoded = 0;
  const refresh = setInterval(() => {
    patterns = readSecrets(files.secrets).flatMap(patternsOf);
    writeFileSync(files.stats, JSON.stringify({ responses, bytes, encoded, secrets: patterns.length }));
  }, 1_000);
  refresh.unref();

  const report = (url: string, where: string, names: string[]) => {
    for (const secret of names) appendFileSync(files.hits, `${JSON.stringify({ url, where, secret })}\n`);
  };

  const server = createServer((req, res) => {
    const peer = req.socket.remoteAddress ?? '';
    // Bodies as sent, never compressed: a byte search finds no secret inside a gzip stream (the
    // browser asks for gzip, and the app would compress every page).
    const { 'accept-encoding': _compressed, ...headers } = req.headers;
    const up = request(
      {
        host: upstream.hostname,
        port: upstream.port,
        method: req.method,
        path: req.url,
        headers,
        localAddress: /^127\.\d+\.\d+\.\d+$/.test(peer) ? peer : undefined,
      },
      (ur: IncomingMessage) => {
        responses++;
        const encoding = ur.headers['content-encoding'];
        if (encoding !== undefined && encoding !== 'identity') encoded++;
        const url = req.url ?? '';
        const head = Buffer.from(`${ur.statusCode} ${ur.statusMessage}\n${ur.rawHeaders.join('\n')}`);
        report(url, 'headers', findSecrets(head, patterns));
        const keep = Math.max(0, longest(patterns) - 1);
        let tail: Buffer = Buffer.alloc(0);
        const found = new Set<string>();
        ur.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          const window: Buffer = tail.length ? Buffer.concat([tail, chunk]) : chunk;
          for (const n of findSecrets(window, patterns)) found.add(n);
          tail = keep ? window.subarray(Math.max(0, window.length - keep)) : Buffer.alloc(0);
        });
        ur.on('end', () => report(url, 'body', [...found]));
        res.writeHead(ur.statusCode ?? 502, ur.statusMessage, ur.headers);
        ur.pipe(res);
        ur.on('error', () => res.destroy());
      },
    );
    up.on('error', () => (res.headersSent ? res.destroy() : res.writeHead(502).end()));
    // The browser went away: so does the request to the app (it stops its remote work).
    res.on('close', () => {
      if (!res.writableFinished) up.destroy();
    });
    req.pipe(up);
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    stop: () =>
      new Promise<void>((resolve) => {
        clearInterval(refresh);
        writeFileSync(files.stats, JSON.stringify({ responses, bytes, encoded, secrets: patterns.length }));
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
