// Calls a server action over HTTP the way React does in the browser (encodeReply, the Next-Action
// header), from any loopback source address, so tests can send what no form would: hostile values
// in every field and argument, without a browser in the loop.
import { request } from 'node:http';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
// React's own encoder, from the copy Next ships: the same wire format the browser produces.
const flight = require(
  join(
    import.meta.dirname,
    '..',
    '..',
    'node_modules',
    'next',
    'dist',
    'compiled',
    'react-server-dom-turbopack',
    'client.edge.js',
  ),
) as { encodeReply(value: unknown): Promise<string | FormData> };

export type ActionReply = {
  httpStatus: number;
  /** The state the action returned (parsed from the flight response), when it returned one. */
  state?: { status?: string; message?: string; fieldErrors?: Record<string, string[]>; data?: unknown };
  /** Set when the action redirected (x-action-redirect). */
  redirect?: string;
  /** The Set-Cookie headers of the answer (a sign-in's session cookie). */
  setCookies: string[];
  body: string;
};

export type ActionCall = {
  baseURL: string;
  /** A page the action belongs to (its ID must be in that page's bundle). */
  pagePath: string;
  actionId: string;
  args: unknown[];
  cookie?: string;
  /** The loopback address to connect from (sign-in throttling is per address). */
  localAddress?: string;
};

/** The action's return value: React writes it as row 1 of the flight response. */
function parseState(body: string): ActionReply['state'] {
  for (const row of body.split('\n')) {
    const m = /^1:(\{.*\})$/.exec(row);
    if (!m) continue;
    try {
      return JSON.parse(m[1]!) as ActionReply['state'];
    } catch {
      return undefined;
    }
  }
  return undefined;
}

export async function callAction(call: ActionCall): Promise<ActionReply> {
  const encoded = await flight.encodeReply(call.args);
  const req = new Request('http://encode.invalid/', { method: 'POST', body: encoded });
  const payload = Buffer.from(await req.arrayBuffer());
  const url = new URL(call.pagePath, call.baseURL);
  return new Promise<ActionReply>((resolve, reject) => {
    const r = request(
      url,
      {
        method: 'POST',
        // A connection per call: no race with the server closing an idle keep-alive socket.
        agent: false,
        localAddress: call.localAddress,
        headers: {
          'Content-Type': req.headers.get('content-type') ?? 'text/plain;charset=UTF-8',
          'Content-Length': String(payload.length),
          Accept: 'text/x-component',
          'Next-Action': call.actionId,
          Origin: call.baseURL,
          ...(call.cookie ? { Cookie: call.cookie } : {}),
        },
        timeout: 60_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          const redirect = res.headers['x-action-redirect'];
          resolve({
            httpStatus: res.statusCode ?? 0,
            state: parseState(body),
            redirect: typeof redirect === 'string' ? redirect : undefined,
            setCookies: res.headers['set-cookie'] ?? [],
            body,
          });
        });
        res.on('error', reject);
      },
    );
    r.on('timeout', () => r.destroy(new Error(`${call.pagePath}: no answer within 60 s`)));
    r.on('error', reject);
    r.end(payload);
  });
}

/** FormData from plain fields; an array value becomes repeated entries. */
export function formOf(fields: Record<string, string | string[]>): FormData {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) for (const x of Array.isArray(v) ? v : [v]) fd.append(k, x);
  return fd;
}

/** Runs `work` over `items` with at most `limit` at a time; results in input order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    for (;;) {
      const i = next++;
      if (i >= items.length) return;
      out[i] = await work(items[i]!);
    }
  });
  await Promise.all(workers);
  return out;
}
