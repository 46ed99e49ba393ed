// @ts-check
// Backstone's production server: `next start`'s request handler behind Node's own HTTP server.
//
// Why not plain `next start`: Next 16 drops Content-Length from every route-handler response
// (FORBIDDEN_HEADERS in next/dist/server/send-response.js) and sends downloads chunked, so a browser
// cannot show the progress of a 20 GiB disk download nor tell a cut-off one from a complete one. A
// download route states the exact size in X-Backstone-Size; this server turns it back into
// Content-Length before the headers leave, for uncompressed 200 responses only.
import { createServer } from 'node:http';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import next from 'next';

const SIZE_HEADER = 'x-backstone-size';
// The TCP peer, for sign-in throttling and the audit log (lib/auth/guard.ts requestAddress).
const PEER_HEADER = 'x-backstone-peer';

const { values } = parseArgs({
  options: {
    hostname: { type: 'string', default: process.env.HOSTNAME ?? '127.0.0.1' },
    port: { type: 'string', default: process.env.PORT ?? '3000' },
  },
});
const hostname = values.hostname ?? '127.0.0.1';
const port = Number(values.port);
if (!Number.isInteger(port) || port < 1 || port > 65535) {
  console.error(`invalid --port ${values.port}`);
  process.exit(2);
}

/**
 * Restores Content-Length from the size a download route declared, just before the headers are sent
 * (Node calls writeHead itself for implicit headers, so both paths pass here).
 * @param {import('node:http').ServerResponse} res
 */
function restoreContentLength(res) {
  const writeHead = res.writeHead;
  // @ts-expect-error -- same signature, forwarded as is
  res.writeHead = function (...args) {
    const size = res.getHeader(SIZE_HEADER);
    const statusCode = typeof args[0] === 'number' ? args[0] : res.statusCode;
    if (
      statusCode === 200 &&
      typeof size === 'string' &&
      /^\d{1,16}$/.test(size) &&
      !res.hasHeader('content-length') &&
      !res.hasHeader('content-encoding')
    ) {
      res.setHeader('content-length', size);
    }
    return writeHead.apply(res, /** @type {Parameters<typeof writeHead>} */ (args));
  };
}

const app = next({ dev: false, dir: dirname(fileURLToPath(import.meta.url)), hostname, port });
const handle = app.getRequestHandler();
await app.prepare();

const server = createServer((req, res) => {
  // Replaces whatever the client sent under this name: only this server may state the peer.
  req.headers[PEER_HEADER] = req.socket.remoteAddress ?? '';
  restoreContentLength(res);
  handle(req, res).catch((err) => {
    console.error('request failed', err);
    if (!res.headersSent) res.statusCode = 500;
    res.end();
  });
});
server.listen(port, hostname, () => {
  console.log(`Backstone listening on http://${hostname}:${port}`);
});

// Stop accepting, let running responses finish (bounded), then exit: a SIGTERM from the demo or a
// service manager should not cut a download that is about to end, nor wait forever for one.
for (const signal of /** @type {const} */ (['SIGTERM', 'SIGINT'])) {
  process.once(signal, () => {
    server.close(() => process.exit(0));
    server.closeIdleConnections();
    setTimeout(() => process.exit(0), 3_000).unref();
  });
}
