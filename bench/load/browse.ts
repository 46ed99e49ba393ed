// What a load client browses, and when an answer counts as an error.
import type { HttpClient, Reply } from './client';

export type Target = { repo: string; snap: string };
export type Step = { endpoint: string; path: string; kind: 'page' | 'json'; check?: (json: unknown) => boolean };

/** The pages and API calls a client loops over; the maintenance page is for admins only. */
export function steps(ds: number, t: Target, opts: { admin: boolean } = { admin: true }): Step[] {
  const repo = `/datastores/${ds}/repos/${t.repo}`;
  const api = `/api/datastores/${ds}`;
  const maintenance: Step[] = opts.admin
    ? [
        {
          endpoint: 'GET /datastores/[id]/maintenance/[repo]',
          path: `/datastores/${ds}/maintenance/${t.repo}`,
          kind: 'page',
        },
      ]
    : [];
  return [
    { endpoint: 'GET /datastores', path: '/datastores', kind: 'page' },
    { endpoint: 'GET /datastores/[id]', path: `/datastores/${ds}`, kind: 'page' },
    {
      endpoint: 'GET /api/datastores/[id]/overview',
      path: `${api}/overview`,
      kind: 'json',
      check: (j) => Array.isArray((j as { repositories?: unknown }).repositories),
    },
    { endpoint: 'GET /datastores/[id]/repos/[repo]', path: repo, kind: 'page' },
    ...maintenance,
    {
      endpoint: 'GET /datastores/[id]/repos/[repo]/snapshots/[snap]',
      path: `${repo}/snapshots/${t.snap}`,
      kind: 'page',
    },
    {
      endpoint: 'GET /api/datastores/[id]/repos/[repo]/snapshots/[snap]/files',
      path: `${api}/repos/${t.repo}/snapshots/${t.snap}/files`,
      kind: 'json',
      check: (j) => {
        const files = (j as { files?: unknown }).files;
        return Array.isArray(files) && files.length > 0;
      },
    },
  ];
}

/**
 * A good answer that does not hold everything yet: a page that says it shows stale data or is still
 * reading (it refreshes itself), or an API call answered 503 "still reading" with Retry-After. The
 * pages answer within a bound with what they know: these are counted apart, not as errors.
 */
export function partial(step: Step, r: Reply): boolean {
  if (step.kind === 'page') return r.status === 200 && /data-testid="(still-reading|stale-data)"/.test(r.body);
  if (r.status === 503 && r.headers['retry-after'] !== undefined) return /"kind":"StillReading"/.test(r.body);
  return r.status === 200 && /"freshness":\{"state":"(stale|reading)"/.test(r.body);
}

/** Why a reply counts as an error, or undefined when it is a good answer. */
export function verdict(step: Step, r: Reply): string | undefined {
  if (partial(step, r)) return undefined;
  if (r.status !== 200) {
    const where = r.headers.location ? ` -> ${r.headers.location}` : '';
    return `status ${r.status}${where}: ${r.body.slice(0, 200).replace(/\s+/g, ' ')}`;
  }
  if (step.kind === 'page') {
    if (!r.body.includes('data-testid="signed-in-user"')) return 'page without the signed-in shell';
    if (r.body.includes('data-testid="page-error"')) return 'the error page';
    // A server component that failed after the shell was sent leaves an error digest in the stream.
    if (/\\"digest\\":\\"(?!NEXT_)/.test(r.body)) return 'an error digest in the streamed page';
    return undefined;
  }
  try {
    return step.check && !step.check(JSON.parse(r.body)) ? `unexpected JSON: ${r.body.slice(0, 200)}` : undefined;
  } catch {
    return `not JSON: ${r.body.slice(0, 200)}`;
  }
}

type Fresh = { freshness?: { state: string } };

/**
 * Every snapshot the signed-in user may see. The API answers within a bound, possibly before the
 * backup server did: it is asked again (every second, for at most `timeoutMs` in all) until fresh.
 */
export async function targetsFor(http: HttpClient, cookie: string, ds: number, timeoutMs: number): Promise<Target[]> {
  const giveUpAt = performance.now() + timeoutMs;
  const get = async <T extends Fresh>(path: string): Promise<T> => {
    for (;;) {
      const r = await http.send('GET', path, { cookie, timeoutMs });
      if (r.status !== 200) throw new Error(`discovery: ${path} answered ${r.status}`);
      const json = JSON.parse(r.body) as T;
      if ((json.freshness?.state ?? 'fresh') === 'fresh') return json;
      if (performance.now() > giveUpAt) throw new Error(`discovery: ${path} was not fresh within ${timeoutMs} ms`);
      await new Promise((res) => setTimeout(res, 1_000));
    }
  };
  const overview = await get<Fresh & { repositories: { name: string }[] }>(`/api/datastores/${ds}/overview`);
  const targets: Target[] = [];
  for (const { name } of overview.repositories) {
    const detail = await get<Fresh & { snapshots: { id: string }[] }>(`/api/datastores/${ds}/repos/${name}`);
    for (const s of detail.snapshots) targets.push({ repo: name, snap: s.id });
  }
  if (targets.length === 0) throw new Error('discovery: no snapshot to browse');
  return targets;
}
