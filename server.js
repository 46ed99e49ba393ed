// @ts-check
// Backstone's production server: `next start`'s request handler behind Node's own HTTP server.
//
// Why not plain `next start`: Next 16 drops Content-Length from every route-handler response
// (FORBIDDEN_HEADERS in next/dist/server/send-response.js) and sends downloads chunked, so a browser
// cannot show the progress of a 20 GiB disk download nor tell a cut-off one from a complete one. A
// download route states the exact size in X-Backstone-Size; this server turns it back into
// Content-Length before the headers leave, for uncompressed 200 responses only.
//
// It is also Backstone's HTTP edge (issue 22 §6): what Next would answer with a plain 500 — a path
// with malformed percent-encoding, a cross-origin or oversize server action — or hold for minutes
// — a request body that drips in — is refused here with a clear 4xx before Next sees it.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import next from 'next';
import { MAX_REQUEST_BODY_BYTES, SECURITY_HEADERS } from './next.config.js';

const SIZE_HEADER = 'x-backstone-size';
// The TCP peer, for sign-in throttling and the audit log (lib/auth/guard.ts requestAddress).
const PEER_HEADER = 'x-backstone-peer';

// Hop-by-hop facts a reverse proxy states; believed only with BACKSTONE_TRUST_PROXY=1 (the same
// setting lib/config reads). Without it they are dropped, and Next fills in the true ones itself.
const FORWARDED_HEADERS = ['x-forwarded-host', 'x-forwarded-proto', 'x-forwarded-port', 'x-forwarded-for', 'forwarded'];
const trustProxy = process.env.BACKSTONE_TRUST_PROXY === '1';

// How long a whole request (headers and body) may take to arrive. Node's default (300 s) let a
// client that drips a body hold a request for five minutes; no form of Backstone's takes long.
const DEFAULT_REQUEST_TIMEOUT_SECONDS = 30;
const requestTimeoutText = process.env.BACKSTONE_REQUEST_TIMEOUT_SECONDS ?? String(DEFAULT_REQUEST_TIMEOUT_SECONDS);
if (!/^[1-9]\d{0,3}$/.test(requestTimeoutText)) {
  console.error(
    `invalid BACKSTONE_REQUEST_TIMEOUT_SECONDS ${requestTimeoutText}: a whole number of seconds, 1 to 9999`,
  );
  process.exit(2);
}
const requestTimeoutMs = Number(requestTimeoutText) * 1000;

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

/**
 * One line on stderr for each request refused here (Next logs nothing for these), in lib/log's
 * JSON-line shape. The path only: a query string is the client's business.
 * @param {import('node:http').IncomingMessage} req
 * @param {number} status
 * @param {string} reason
 */
function logRefusal(req, status, reason) {
  const path = (req.url ?? '').split('?')[0]?.slice(0, 200);
  const line = { t: new Date().toISOString(), level: 'warn', scope: 'http', msg: 'request refused', status, reason };
  process.stderr.write(`${JSON.stringify({ ...line, method: req.method, path })}\n`);
}

/**
 * Answers a request here, with the same security headers Next's responses carry and a policy that
 * allows nothing (the body is plain text).
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 * @param {number} status
 * @param {string} reason
 * @param {string} message
 */
function refuse(req, res, status, reason, message) {
  logRefusal(req, status, reason);
  for (const { key, value } of SECURITY_HEADERS) res.setHeader(key, value);
  res.setHeader('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
  res.setHeader('cache-control', 'no-store');
  res.setHeader('content-type', 'text/plain; charset=utf-8');
  res.statusCode = status;
  // An unread body is discarded by Node once the response is done, so the connection stays usable.
  res.end(`${message}\n`);
}

/** @param {string} path */
function isWellEncoded(path) {
  try {
    decodeURIComponent(path);
    return true;
  } catch {
    // A lone or truncated %, a non-hex digit, bytes that are not UTF-8 (%ff) or overlong UTF-8 (%C0%AE).
    return false;
  }
}

/**
 * The host the browser addressed: the Host header, or the proxy's X-Forwarded-Host when trusted.
 * @param {import('node:http').IncomingMessage} req
 */
function addressedHost(req) {
  const forwarded = trustProxy ? req.headers['x-forwarded-host'] : undefined;
  const host = typeof forwarded === 'string' ? forwarded.split(',')[0]?.trim() : req.headers.host;
  return (host ?? '').toLowerCase();
}

/**
 * Whether a request that may change something came from another origin. Server actions are POSTs
 * to any page; Next refuses a mismatched Origin itself but with a 500. No Origin (curl, scripts)
 * carries no browser's cookies unwillingly, as Next also judges.
 * @param {import('node:http').IncomingMessage} req
 */
function isCrossOriginWrite(req) {
  if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return false;
  const origin = req.headers.origin;
  if (origin === undefined) return false;
  try {
    return new URL(origin).host.toLowerCase() !== addressedHost(req);
  } catch {
    return true; // "null" (sandboxed frames, file:, some redirects) or garbage
  }
}

/**
 * Next's own fetch that forwards a server action to the page holding it, when the action was called
 * from another page (next/dist/server/app-render/action-handler.js createForwardedActionResponse).
 * It carries the browser's Origin and the x-forwarded-* headers Next gave the first request (so its
 * host is not this fetch's Host), every other header of the first request, and a streamed body
 * without a length. `x-action-forwarded: 1` alone proves nothing (any script can send it), so the
 * edge stamps each server action it let through with a secret only this process knows; Next copies
 * that header into its forward, and only a request carrying it skips the edge's checks again.
 */
const EDGE_HEADER = 'x-backstone-edge';
const edgeSecret = randomBytes(32).toString('hex');

/** @param {import('node:http').IncomingMessage} req */
function isNextActionForward(req) {
  const stamp = req.headers[EDGE_HEADER];
  if (req.headers['x-action-forwarded'] !== '1' || typeof req.headers['next-action'] !== 'string') return false;
  if (typeof stamp !== 'string' || stamp.length !== edgeSecret.length) return false;
  return timingSafeEqual(Buffer.from(stamp), Buffer.from(edgeSecret));
}

/**
 * Refuses what Next would answer with a 500 or hold; true when the request was answered here.
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 */
function refusedAtTheEdge(req, res) {
  if (!isWellEncoded((req.url ?? '/').split('?')[0] ?? '/')) {
    refuse(req, res, 400, 'malformed percent-encoding', 'Bad request: the address holds a malformed percent-encoding.');
    return true;
  }
  if (isCrossOriginWrite(req)) {
    refuse(req, res, 403, 'cross-origin write', 'Forbidden: this request came from another origin.');
    return true;
  }
  const length = req.headers['content-length'];
  if (length !== undefined && Number(length) > MAX_REQUEST_BODY_BYTES) {
    const limit = `${MAX_REQUEST_BODY_BYTES / (1024 * 1024)} MiB`;
    refuse(req, res, 413, 'body too large', `Payload too large: a request body may be at most ${limit}.`);
    return true;
  }
  // A body of unknown length could only be judged after reading it: browsers always state the length.
  if (req.headers['transfer-encoding'] !== undefined) {
    refuse(req, res, 411, 'body without length', 'Length required: send the request body with a Content-Length.');
    return true;
  }
  return false;
}

/**
 * Runs with the configuration the build serialized, as Next's own standalone server does: the release
 * archive (`npm run package`) is .next/standalone with this file in place of Next's server.js, and
 * there next.config.js must not be evaluated again (its build-time settings are already applied).
 * Without this Next would also warn that `output: 'standalone'` wants its own server.
 * @param {string} dir
 */
function adoptBuildConfig(dir) {
  if (process.env.__NEXT_PRIVATE_STANDALONE_CONFIG) return;
  const file = join(dir, '.next', 'required-server-files.json');
  if (!existsSync(file)) return; // no build yet: Next says so itself
  const { config } = JSON.parse(readFileSync(file, 'utf8'));
  process.env.__NEXT_PRIVATE_STANDALONE_CONFIG = JSON.stringify({ ...config, distDir: './.next' });
}

const dir = dirname(fileURLToPath(import.meta.url));
adoptBuildConfig(dir);
const app = next({ dev: false, dir, hostname, port });
const handle = app.getRequestHandler();
await app.prepare();

const server = createServer(
  {
    requestTimeout: requestTimeoutMs,
    headersTimeout: Math.min(requestTimeoutMs, 20_000),
    // How often Node looks for requests past those bounds (default 30 s, longer than a short bound).
    connectionsCheckingInterval: Math.min(requestTimeoutMs / 2, 5_000),
  },
  handleRequest,
);

/**
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 */
function handleRequest(req, res) {
  // Next's forward of an action the edge already judged (and stamped); anything else is judged here.
  const forward = isNextActionForward(req);
  delete req.headers[EDGE_HEADER];
  // Replaces whatever the client sent under this name: only this server may state the peer (a
  // forward keeps the one stated for the browser's request: its own peer is this process).
  if (!forward || typeof req.headers[PEER_HEADER] !== 'string')
    req.headers[PEER_HEADER] = req.socket.remoteAddress ?? '';
  if (!trustProxy && !forward) for (const name of FORWARDED_HEADERS) delete req.headers[name];
  if (!forward && refusedAtTheEdge(req, res)) return;
  if (typeof req.headers['next-action'] === 'string') req.headers[EDGE_HEADER] = edgeSecret;
  restoreContentLength(res);
  handle(req, res).catch((err) => {
    console.error('request failed', err);
    if (!res.headersSent) res.statusCode = 500;
    res.end();
  });
}
server.listen(port, hostname, () => {
  console.log(`Backstone listening on http://${hostname}:${port}`);
  warmUp();
});

/**
 * In production Next prepares itself, and runs instrumentation.ts (the store opens and migrates, or
 * the process stops because it cannot), on its first request, not at start. One request now makes
 * that the start, not some user's first click.
 */
function warmUp() {
  const address = server.address();
  if (address === null || typeof address === 'string') return;
  const wildcard = address.address === '0.0.0.0' || address.address === '::';
  const host = wildcard ? '127.0.0.1' : address.family === 'IPv6' ? `[${address.address}]` : address.address;
  fetch(`http://${host}:${address.port}/api/health`, { signal: AbortSignal.timeout(60_000) }).then(
    (res) => res.body?.cancel(),
    () => {}, // the answer does not matter: instrumentation.ts logs and stops on a failure itself
  );
}

// Stop accepting, let running responses and jobs (restores, checks, prune) finish, bounded, then
// exit: a SIGTERM from the demo or a service manager should not cut a download or a restore that is
// about to end, nor wait forever for one. Jobs still running at the bound are marked interrupted
// (instrumentation.ts sets the hooks) so their pages say so at once. The bound is
// BACKSTONE_STOP_GRACE_SECONDS (default 3; the systemd unit gives 20 of its 30 s stop timeout).
const stopGraceText = process.env.BACKSTONE_STOP_GRACE_SECONDS ?? '3';
if (!/^\d{1,4}$/.test(stopGraceText)) {
  console.error(`invalid BACKSTONE_STOP_GRACE_SECONDS ${stopGraceText}: a whole number of seconds, 0 to 9999`);
  process.exit(2);
}
const stopGraceMs = Number(stopGraceText) * 1000;

/** @returns {{ jobsInProgress: () => number, interruptJobsAtStop: () => number, stopSchedules?: () => void } | undefined} */
function stopHooks() {
  return /** @type {any} */ (globalThis)[Symbol.for('backstone.stop')];
}

for (const signal of /** @type {const} */ (['SIGTERM', 'SIGINT'])) {
  process.once(signal, () => {
    // No scheduled run starts while the process winds down.
    stopHooks()?.stopSchedules?.();
    let closed = false;
    server.close(() => {
      closed = true;
    });
    server.closeIdleConnections();
    const deadline = Date.now() + stopGraceMs;
    const check = () => {
      const hooks = stopHooks();
      if ((closed && (hooks?.jobsInProgress() ?? 0) === 0) || Date.now() >= deadline) {
        try {
          hooks?.interruptJobsAtStop();
        } finally {
          process.exit(0);
        }
      }
    };
    setInterval(check, 100);
    check();
  });
}
