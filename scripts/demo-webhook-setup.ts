// Points the demo app's webhook channel at the demo's alert sink the way an admin would: sign in as
// the sandbox's admin and submit the webhook settings form, i.e. call the real server actions
// (signInAction, saveWebhookChannelAction) over HTTP with React's encoding. So the demo's setting is
// validated, encrypted, stored and audited by the app itself, and nothing writes to its data folder
// behind its back (lib/ modules are server-only and cannot run in this tsx process anyway).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { repoRoot } from '../sandbox/common/state';

const require = createRequire(import.meta.url);
// React's own encoder, from the copy Next ships: the same wire format the browser produces.
const flight = require(
  join(repoRoot, 'node_modules', 'next', 'dist', 'compiled', 'react-server-dom-turbopack', 'client.edge.js'),
) as { encodeReply(value: unknown): Promise<string | FormData> };

type Reply = { status: number; state?: { status?: string; message?: string }; cookies: string[] };

/** An action's ID in the production build (.next), by its exported name. */
function actionId(exportedName: string): string {
  const manifest = JSON.parse(
    readFileSync(join(repoRoot, '.next', 'server', 'server-reference-manifest.json'), 'utf8'),
  ) as { node: Record<string, { exportedName: string }> };
  const found = Object.entries(manifest.node).find(([, a]) => a.exportedName === exportedName);
  if (!found) throw new Error(`the build has no server action ${exportedName}`);
  return found[0];
}

async function callAction(baseURL: string, pagePath: string, name: string, form: FormData, cookie?: string) {
  const body = new Request('http://encode.invalid/', {
    method: 'POST',
    body: await flight.encodeReply([{ status: 'idle' }, form]),
  });
  const res = await fetch(new URL(pagePath, baseURL), {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'Content-Type': body.headers.get('content-type') ?? 'text/plain;charset=UTF-8',
      Accept: 'text/x-component',
      'Next-Action': actionId(name),
      Origin: baseURL,
      ...(cookie ? { Cookie: cookie } : {}),
    },
    body: await body.arrayBuffer(),
    signal: AbortSignal.timeout(120_000),
  });
  const text = await res.text();
  // React writes the action's return value as row 1 of the flight response.
  const row = /^1:(\{.*\})$/m.exec(text)?.[1];
  const reply: Reply = { status: res.status, cookies: res.headers.getSetCookie() };
  if (row) reply.state = JSON.parse(row) as Reply['state'];
  return reply;
}

function formOf(fields: Record<string, string>): FormData {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.set(k, v);
  return fd;
}

/** Signs in as `admin` through the sign-in action; the session's Cookie header. */
export async function signInCookie(baseURL: string, admin: { name: string; password: string }): Promise<string> {
  const signIn = await callAction(
    baseURL,
    '/login',
    'signInAction',
    formOf({ username: admin.name, password: admin.password }),
  );
  const cookie = signIn.cookies.map((c) => c.split(';')[0]).join('; ');
  if (!cookie)
    throw new Error(`signing in as ${admin.name} failed: ${signIn.state?.message ?? `HTTP ${signIn.status}`}`);
  return cookie;
}

/** Signs in as `admin` and saves the webhook channel (on, `url`, `secret`); throws with the app's reason. */
export async function configureDemoWebhook(
  baseURL: string,
  admin: { name: string; password: string },
  url: string,
  secret: string,
): Promise<void> {
  const cookie = await signInCookie(baseURL, admin);
  const saved = await callAction(
    baseURL,
    '/alerts/settings',
    'saveWebhookChannelAction',
    formOf({ enabled: 'on', url, secret }),
    cookie,
  );
  if (saved.state?.status !== 'ok')
    throw new Error(`saving the webhook channel failed: ${saved.state?.message ?? `HTTP ${saved.status}`}`);
}
