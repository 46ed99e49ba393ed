import { createServer, connect } from 'node:net';

/** A TCP port on 127.0.0.1 that was free a moment ago (callers retry on a bind race). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/** Resolves with the first bytes a server sends after connect, or undefined on refusal/timeout. */
export function readBanner(port: number, timeoutMs = 1_000): Promise<string | undefined> {
  return new Promise((resolve) => {
    const sock = connect({ host: '127.0.0.1', port });
    const done = (v: string | undefined) => {
      sock.destroy();
      resolve(v);
    };
    sock.setTimeout(timeoutMs, () => done(undefined));
    sock.once('data', (d) => done(d.toString('utf8')));
    sock.once('error', () => done(undefined));
  });
}
