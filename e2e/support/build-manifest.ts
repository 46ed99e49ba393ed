// Every server action and route handler in the production build, read from Next's manifests, so
// a test can call each one the way an attacker would.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const SERVER = join(import.meta.dirname, '..', '..', '.next', 'server');

export type BuiltAction = { id: string; filename: string; exportedName: string; pagePath: string };

/** "app/(console)/datastores/[id]/page" -> "/datastores/1" */
export function urlOfPage(worker: string): string {
  const path = worker
    .replace(/^app/, '')
    .replace(/\/(page|route)$/, '')
    .split('/')
    .filter((seg) => seg && !/^\(.*\)$/.test(seg))
    .map((seg) => (/^\[\.{3}.*\]$/.test(seg) ? 'x' : /^\[.*\]$/.test(seg) ? '1' : seg))
    .join('/');
  return `/${path}`;
}

export function builtActions(): BuiltAction[] {
  const manifest = JSON.parse(readFileSync(join(SERVER, 'server-reference-manifest.json'), 'utf8')) as {
    node: Record<string, { workers: Record<string, unknown>; filename: string; exportedName: string }>;
  };
  return Object.entries(manifest.node).map(([id, a]) => ({
    id,
    filename: a.filename,
    exportedName: a.exportedName,
    pagePath: urlOfPage(Object.keys(a.workers)[0] ?? 'app/page'),
  }));
}

/** The server action exported as `name`; throws when the build has none. */
export function builtAction(name: string): BuiltAction {
  const action = builtActions().find((a) => a.exportedName === name);
  if (!action) throw new Error(`${name} is not in the build`);
  return action;
}

export function builtRouteHandlers(): string[] {
  const manifest = JSON.parse(readFileSync(join(SERVER, 'app-paths-manifest.json'), 'utf8')) as Record<string, string>;
  return Object.keys(manifest)
    .filter((k) => k.endsWith('/route') && !/\/(icon|favicon|apple-icon)[^/]*\/route$/.test(k))
    .map(urlOfPage);
}
