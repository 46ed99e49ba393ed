// The secrets the end-to-end run must never leak (issue 12, part 2), and how they are searched for.
// The list lives in a 0600 file in the run's state folder: the process sampler and the scanning
// proxy re-read it, since some secrets only exist once the sandbox is seeded.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export type Secret = { name: string; value: string };

export const secretsFile = (stateDir: string) => join(stateDir, 'e2e-secrets.json');
export const cmdlineHitsFile = (stateDir: string) => join(stateDir, 'e2e-secret-hits-cmdline.jsonl');
export const cmdlineStatsFile = (stateDir: string) => join(stateDir, 'e2e-secret-sampler.json');
export const httpHitsFile = (stateDir: string) => join(stateDir, 'e2e-secret-hits-http.jsonl');
export const httpStatsFile = (stateDir: string) => join(stateDir, 'e2e-secret-proxy.json');

export function readSecrets(file: string): Secret[] {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Secret[]) : [];
}

export function addSecrets(file: string, more: Secret[]): void {
  const all = [...readSecrets(file)];
  for (const s of more) if (s.value && !all.some((a) => a.value === s.value)) all.push(s);
  writeFileSync(file, JSON.stringify(all), { mode: 0o600 });
}

/** The byte patterns of one secret: as is, base64 (Basic auth, cookies), and URL-encoded. */
export function patternsOf(s: Secret): { name: string; bytes: Buffer }[] {
  const variants = new Set([s.value, Buffer.from(s.value).toString('base64'), encodeURIComponent(s.value)]);
  return [...variants].map((v) => ({ name: s.name, bytes: Buffer.from(v) }));
}

/** The names of the secrets found in `buf`. */
export function findSecrets(buf: Buffer, patterns: { name: string; bytes: Buffer }[]): string[] {
  const found = new Set<string>();
  for (const p of patterns) if (buf.includes(p.bytes)) found.add(p.name);
  return [...found];
}

/** The longest pattern, so a stream scanner can keep enough of the previous chunk. */
export function longest(patterns: { bytes: Buffer }[]): number {
  return patterns.reduce((m, p) => Math.max(m, p.bytes.length), 0);
}
