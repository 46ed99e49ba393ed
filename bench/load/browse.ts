// What a load client browses, and when an answer counts as an error.
import type { HttpClient, Reply } from './client';

export type Target = { repo: string; snap: string };
export type Step = { endpoint: string; path: string; kind: 'page' | 'json'; check?: (json: unknown) => boolean };

export function steps(ds: number, t: Target): Step[] {
  const repo = `/datastores/${ds}/repos/${t.repo}`;
  const api = `/api/datastores/${ds}`;
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

/** Why a reply counts as an error, or undefined when it is a good answer. */
export function verdict(step: Step, r: Reply): string | undefined {
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

export async function targetsFor(http: HttpClient, cookie: string, ds: number, timeoutMs: number): Promise<Target[]> {
  const get = async (path: string) => {
    const r = await http.send('GET', path, { cookie, timeoutMs });
    if (r.status !== 200) throw new Error(`discovery: ${path} answered ${r.status}`);
    return JSON.parse(r.body) as unknown;
  };
  const overview = (await get(`/api/datastores/${ds}/overview`)) as { repositories: { name: string }[] };
  const targets: Target[] = [];
  for (const { name } of overview.repositories) {
    const detail = (await get(`/api/datastores/${ds}/repos/${name}`)) as { snapshots: { id: string }[] };
    for (const s of detail.snapshots) targets.push({ repo: name, snap: s.id });
  }
  if (targets.length === 0) throw new Error('discovery: no snapshot to browse');
  return targets;
}
