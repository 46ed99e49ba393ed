// The CLI service: the sandbox's stand-in for oned's XML-RPC endpoint. The real CLI is a thin Ruby
// client of oned; here each command wrapper is a thin bash client that sends its arguments, working
// folder and OpenNebula environment to this long-running process on 127.0.0.1 and prints what comes
// back. A Node process per command cost ~45 ms of CPU, and a test run makes thousands of calls.
//
// Only callers that can read the service file (its owner: the sandbox's account) may use it, since
// the service reads ONE_AUTH and template files with its own rights; the others, and every call
// while the service is not running, run the command in a process of their own (main.ts).
//
// Request: NUL-terminated fields: "1", the key, the working folder, the number of environment
// entries and each NAME=value, the number of arguments and each argument (the command first).
// Answer: "<exit code> <stderr bytes>\n", stderr, then stdout until the connection closes.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { join, resolve } from 'node:path';
import type { FrontendPaths } from '../paths';
import { runCommand } from './run-command';

export const SERVICE_ARG = '__cli-service';
const PROTOCOL = '1';
const MAX_REQUEST_BYTES = 16 * 1024 * 1024;

/** Where the running service writes "<port> <key>" (mode 0600). */
export function serviceFile(paths: FrontendPaths): string {
  return join(paths.one, 'cli-service');
}

type Request = { cwd: string; env: Record<string, string>; argv: string[] };

/** The request in `buf`, undefined while incomplete; throws on a malformed or unauthorised one. */
export function parseRequest(buf: Buffer, key: string): Request | undefined {
  const fields = buf.toString('utf8').split('\0');
  const complete = fields.length - 1;
  let i = 0;
  const next = (): string | undefined => (i < complete ? fields[i++] : undefined);
  const count = (what: string): number | undefined => {
    const n = next();
    if (n === undefined) return undefined;
    if (!/^\d{1,6}$/.test(n)) throw new Error(`bad ${what} count`);
    return Number(n);
  };
  const version = next();
  if (version === undefined) return undefined;
  if (version !== PROTOCOL) throw new Error('unknown protocol');
  const given = next();
  if (given === undefined) return undefined;
  const a = Buffer.from(given);
  const b = Buffer.from(key);
  if (a.length !== b.length || !timingSafeEqual(a, b)) throw new Error('wrong key');
  const cwd = next();
  const envCount = count('environment');
  if (cwd === undefined || envCount === undefined) return undefined;
  const env: Record<string, string> = {};
  for (let k = 0; k < envCount; k++) {
    const entry = next();
    if (entry === undefined) return undefined;
    const eq = entry.indexOf('=');
    if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  const argc = count('argument');
  if (argc === undefined) return undefined;
  const argv: string[] = [];
  for (let k = 0; k < argc; k++) {
    const arg = next();
    if (arg === undefined) return undefined;
    argv.push(arg);
  }
  return { cwd, env, argv };
}

function answer(sock: Socket, code: number, stdout: string, stderr: string): void {
  const err = Buffer.from(stderr);
  sock.end(Buffer.concat([Buffer.from(`${code & 0xff} ${err.length}\n`), err, Buffer.from(stdout)]));
}

function handle(paths: FrontendPaths, key: string, sock: Socket): void {
  let buf = Buffer.alloc(0);
  let started = false;
  sock.on('error', () => sock.destroy());
  sock.on('data', (chunk: Buffer) => {
    if (started) return;
    buf = Buffer.concat([buf, chunk]);
    let req: Request | undefined;
    try {
      if (buf.length > MAX_REQUEST_BYTES) throw new Error('request too large');
      req = parseRequest(buf, key);
    } catch {
      sock.destroy();
      return;
    }
    if (!req) return;
    started = true;
    const out: string[] = [];
    const err: string[] = [];
    // A relative ONE_AUTH names a file in the caller's folder, as for the CLI in its own process.
    if (req.env.ONE_AUTH) req.env.ONE_AUTH = resolve(req.cwd, req.env.ONE_AUTH);
    void runCommand(paths, req.argv, {
      env: req.env as NodeJS.ProcessEnv,
      cwd: req.cwd,
      // Commands that read a template on stdin run in a process of their own (the wrapper says so).
      readStdin: undefined,
      stdout: (t) => out.push(t),
      stderr: (t) => err.push(t),
    }).then((code) => {
      if (!sock.destroyed) answer(sock, code, out.join(''), err.join(''));
    });
  });
}

/** Serves commands until the process is stopped; returns only on a listening error. */
export async function serveCli(paths: FrontendPaths): Promise<number> {
  const key = randomBytes(24).toString('hex');
  const server = createServer((sock) => handle(paths, key, sock));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the CLI service has no TCP address');
  const file = serviceFile(paths);
  writeFileSync(`${file}.tmp`, `${address.port} ${key}\n`, { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
  const stop = () => {
    rmSync(file, { force: true });
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  return new Promise<number>(() => undefined);
}
