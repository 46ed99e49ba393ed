// The load run's HTTP side: one keep-alive agent (at most one socket per client), plain GETs with
// the session cookie, and the real sign-in: the login page's form posted as a browser without
// JavaScript posts it (React renders the server action's reference as hidden fields for that).
import { Agent, request, type IncomingHttpHeaders } from 'node:http';

export type Reply = { status: number; headers: IncomingHttpHeaders; body: string; ms: number };

export class HttpClient {
  readonly agent: Agent;
  constructor(
    readonly baseUrl: string,
    maxSockets: number,
  ) {
    if (!/^http:\/\/127\.0\.0\.1:\d+$/.test(baseUrl)) throw new Error(`loopback only, not ${baseUrl}`);
    this.agent = new Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  /** One request; redirects are never followed (a signed-in client should not see any). */
  send(
    method: 'GET' | 'POST',
    path: string,
    opts: { cookie?: string; body?: Buffer; headers?: Record<string, string>; timeoutMs: number },
  ): Promise<Reply> {
    const started = performance.now();
    return new Promise<Reply>((resolve, reject) => {
      const headers: Record<string, string> = { accept: '*/*', ...opts.headers };
      if (opts.cookie) headers.cookie = opts.cookie;
      if (opts.body) headers['content-length'] = String(opts.body.length);
      const req = request(new URL(path, this.baseUrl), { method, headers, agent: this.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
            ms: performance.now() - started,
          }),
        );
        res.on('error', reject);
      });
      req.setTimeout(opts.timeoutMs, () => req.destroy(new Error(`no answer within ${opts.timeoutMs} ms`)));
      req.on('error', reject);
      req.end(opts.body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

function decodeEntities(s: string): string {
  return s
    .replace(/&quot;/g, '"')
    .replace(/&#x27;|&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** The hidden inputs of the login page's form, in document order. */
export function hiddenFields(html: string): [string, string][] {
  const form = /<form[^>]*>([\s\S]*?)<\/form>/.exec(html)?.[1];
  if (!form) throw new Error('the login page has no form');
  const fields: [string, string][] = [];
  for (const m of form.matchAll(/<input\b[^>]*>/g)) {
    const tag = m[0];
    if (!/\btype="hidden"/.test(tag)) continue;
    const name = /\bname="([^"]*)"/.exec(tag)?.[1];
    if (name === undefined) continue;
    fields.push([decodeEntities(name), decodeEntities(/\bvalue="([^"]*)"/.exec(tag)?.[1] ?? '')]);
  }
  if (!fields.some(([n]) => n.startsWith('$ACTION'))) throw new Error('the login form carries no server action');
  return fields;
}

function multipart(fields: [string, string][]): { body: Buffer; contentType: string } {
  const boundary = `----backstone-load-${Math.random().toString(16).slice(2)}`;
  const parts = fields.map(
    ([name, value]) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${name.replace(/"/g, '%22')}"\r\n\r\n${value}\r\n`,
  );
  return {
    body: Buffer.from(`${parts.join('')}--${boundary}--\r\n`, 'utf8'),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}

/**
 * Signs in through the login form and returns the session cookie ("name=value"). Checks that
 * the server answered with a redirect and a cookie, and that the page it leads to shows the user.
 */
export async function signInThroughForm(http: HttpClient, username: string, password: string): Promise<string> {
  const page = await http.send('GET', '/login?next=%2Fdatastores', { timeoutMs: 60_000 });
  if (page.status !== 200) throw new Error(`GET /login answered ${page.status}`);
  const fields = hiddenFields(page.body).filter(([n]) => n !== 'username' && n !== 'password');
  const { body, contentType } = multipart([...fields, ['username', username], ['password', password]]);
  const posted = await http.send('POST', '/login?next=%2Fdatastores', {
    body,
    headers: { 'content-type': contentType, origin: http.baseUrl },
    timeoutMs: 60_000,
  });
  const setCookie = posted.headers['set-cookie'] ?? [];
  const session = setCookie.map((c) => c.split(';')[0] ?? '').find((c) => c.startsWith('backstone_session='));
  if (posted.status !== 303 || !session || session === 'backstone_session=') {
    throw new Error(`signing in as ${username} answered ${posted.status} without a session cookie`);
  }
  const landing = posted.headers.location ?? '/';
  const after = await http.send('GET', landing, { cookie: session, timeoutMs: 60_000 });
  if (after.status !== 200 || !after.body.includes('data-testid="signed-in-user"') || !after.body.includes(username)) {
    throw new Error(`after signing in as ${username}, ${landing} answered ${after.status} without the user`);
  }
  return session;
}
