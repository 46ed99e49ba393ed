// The stalled-download phase of the load run (issue 22; the target: with 12 stalled downloads above
// every limit, other users' pages are unaffected): downloads of a large disk, more than the per-user and per-server limits allow,
// each reading 1 MiB and then no more with its socket left open; the ones over a limit must be
// refused with 429 + Retry-After, the rest hold a `restic dump` on the backup server until the
// app's idle bound ends them. The seeded demo disks are a few MiB (they fit in SSH windows and
// socket buffers and would never stall), so this phase backs up two VMs with 48 MiB of random
// data each into a datastore of their own, as lib/catalog/download-stalls.int.test.ts does.
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request, type ClientRequest, type IncomingMessage } from 'node:http';
import { join } from 'node:path';
import { readInfo } from '../../sandbox/common/info';
import { runOk, waitFor } from '../../sandbox/common/process';
import { sandboxPaths } from '../../sandbox/common/state';
import type { FrontendInfo } from '../../sandbox/opennebula/frontend';
import { createVm } from '../../sandbox/opennebula/ops/create-vm';
import { inBackup } from '../../sandbox/opennebula/ops/states';
import { frontendPaths } from '../../sandbox/opennebula/paths';
import { readDb } from '../../sandbox/opennebula/store/db';
import { vmDir } from '../../sandbox/opennebula/vm/disks';
import { cliRunner } from '../../sandbox/seed/cli-runner';
import type { HttpClient } from './client';

const MIB = 1024 * 1024;
/** Random bytes written into each large disk: far more than SSH windows and socket buffers hold. */
const RANDOM_MIB = 48;

export type StallFixture = { datastoreId: number; vms: Record<string, number> };

/**
 * The datastore "Stalls" with one VM of `owners` each (a 64 MiB disk holding 48 MiB of random data),
 * backed up once. Made once per state folder (remembered in load-stall.json), before the runs, so
 * every run of the benchmark browses the same world.
 */
export async function prepareStallFixture(
  stateDir: string,
  frontend: FrontendInfo,
  ownerNames: readonly string[],
): Promise<StallFixture & { made: boolean }> {
  const paths = sandboxPaths(stateDir);
  const file = join(paths.state, 'load-stall.json');
  if (existsSync(file)) return { ...(JSON.parse(readFileSync(file, 'utf8')) as StallFixture), made: false };
  const server = readInfo(paths).backupServer;
  if (!server) throw new Error('the sandbox backup server is not running');
  const fp = frontendPaths(stateDir);
  const cli = cliRunner(frontend);
  const owners = ownerNames.map((name) => {
    const user = readDb(fp).users.find((u) => u.name === name);
    if (!user) throw new Error(`the sandbox has no user ${name}`);
    return { name, uid: user.id };
  });
  const tpl = join(paths.state, 'load-stall-ds.tpl');
  writeFileSync(
    tpl,
    `NAME = "Stalls"\nTYPE = "BACKUP_DS"\nDS_MAD = "restic"\nTM_MAD = "-"\nRESTIC_PASSWORD = "load-stall-restic-pw"\n` +
      `RESTIC_SFTP_SERVER = "${server.name}"\nRESTIC_SFTP_USER = "${server.account}"\n`,
    { mode: 0o600 },
  );
  const datastoreId = Number((await cli('oneadmin', 'onedatastore', ['create', tpl])).replace(/\D/g, ''));
  rmSync(tpl);
  const vms: Record<string, number> = {};
  const random = join(paths.state, 'load-stall-random.bin');
  await runOk('sh', ['-c', 'head -c "$1" /dev/urandom > "$2"', 'sh', String(RANDOM_MIB * MIB), random]);
  try {
    for (const o of owners) {
      const vmId = await createVm(fp, { name: `bulk-${o.name}`, uid: o.uid, disksMb: [64] });
      const disk = join(vmDir(readDb(fp).datastores.find((d) => d.id === 0)!.basePath, vmId), 'disk.0');
      await runOk('qemu-io', ['-f', 'qcow2', '-c', `write -s ${random} 0 ${RANDOM_MIB}M`, disk]);
      vms[o.name] = vmId;
    }
  } finally {
    rmSync(random, { force: true });
  }
  for (const vmId of Object.values(vms))
    await cli('oneadmin', 'onevm', ['backup', String(vmId), '-d', String(datastoreId)]);
  const ids = Object.values(vms);
  const idle = () => readDb(fp).vms.every((v) => !ids.includes(v.id) || !inBackup(v.lcmState));
  if (!(await waitFor(idle, 300_000, 200))) throw new Error('the large backups did not end within 300 s');
  const failed = readDb(fp).vms.find((v) => ids.includes(v.id) && v.userTemplate.some((a) => a.name === 'ERROR'));
  if (failed) throw new Error(`the backup of VM ${failed.id} failed: ${JSON.stringify(failed.userTemplate)}`);
  const fixture: StallFixture = { datastoreId, vms };
  writeFileSync(file, JSON.stringify(fixture));
  return { ...fixture, made: true };
}

/**
 * `restic dump` processes of this sandbox's backup server (their command lines name its state
 * folder); with `repos` (paths ending "/DS/REPO"), only those reading one of these repositories.
 */
export function dumpProcesses(stateDir: string, repos?: readonly string[]): number[] {
  const out: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const argv = readFileSync(`/proc/${e}/cmdline`, 'utf8').split('\0');
      const line = argv.join(' ');
      if (!(line.includes(stateDir) && line.includes('restic') && argv.includes('dump'))) continue;
      if (repos && !argv.some((a) => a.startsWith('--repo=') && repos.some((r) => a.endsWith(r)))) continue;
      out.push(Number(e));
    } catch {
      /* gone */
    }
  }
  return out;
}

/** The largest disk file `cookie`'s user may download from datastore `ds` (through the API). */
export async function largestDisk(
  http: HttpClient,
  cookie: string,
  ds: number,
  timeoutMs: number,
): Promise<{ path: string; size: number; repo: string }> {
  const giveUpAt = performance.now() + timeoutMs;
  const getJson = async <T>(path: string): Promise<T> => {
    for (;;) {
      const r = await http.send('GET', path, { cookie, timeoutMs });
      const json = (r.status === 200 ? JSON.parse(r.body) : undefined) as
        (T & { freshness?: { state: string } }) | undefined;
      if (json && (json.freshness?.state ?? 'fresh') === 'fresh') return json;
      if (r.status !== 200 && r.status !== 503) throw new Error(`stall phase: ${path} answered ${r.status}`);
      if (performance.now() > giveUpAt) throw new Error(`stall phase: ${path} was not ready within ${timeoutMs} ms`);
      await new Promise((res) => setTimeout(res, 1_000));
    }
  };
  const api = `/api/datastores/${ds}`;
  let best: { path: string; size: number; repo: string } | undefined;
  const overview = await getJson<{ repositories: { name: string }[] }>(`${api}/overview`);
  for (const { name } of overview.repositories) {
    const detail = await getJson<{ snapshots: { id: string }[] }>(`${api}/repos/${name}`);
    for (const s of detail.snapshots) {
      const { files } = await getJson<{ files: { name: string; size: number; kind: string }[] }>(
        `${api}/repos/${name}/snapshots/${s.id}/files`,
      );
      for (const f of files)
        if (f.kind === 'disk' && f.size > (best?.size ?? 0))
          best = {
            path: `${api}/repos/${name}/snapshots/${s.id}/download/${encodeURIComponent(f.name)}`,
            size: f.size,
            repo: `/${ds}/${name}`,
          };
    }
  }
  if (!best) throw new Error(`stall phase: no disk to download in datastore ${ds}`);
  return best;
}

export type StalledDownload = {
  user: string;
  status: number;
  ms: number;
  retryAfter?: string;
  /** For a 429: which limit its message names. */
  scope?: 'user' | 'server' | 'unknown';
  /** For a 200: bytes read before it stopped reading, when it stopped, and how it ended. */
  readBytes?: number;
  stalledAt?: number;
  ended?: string;
  error?: string;
};

export type OpenDownload = { result: StalledDownload; req: ClientRequest; res?: IncomingMessage };

/**
 * One download: the response's headers, then (for a 200) 1 MiB read and no more; the socket stays
 * open (the response is paused, so TCP backpressure reaches the app). A refusal is read whole.
 */
export function startStalledDownload(
  baseUrl: string,
  path: string,
  user: string,
  cookie: string,
  timeoutMs: number,
): Promise<OpenDownload> {
  const started = performance.now();
  return new Promise((resolve) => {
    const result: StalledDownload = { user, status: 0, ms: 0 };
    // No keep-alive agent: each download has its own socket, kept open while stalled.
    const req = request(new URL(path, baseUrl), { headers: { cookie, accept: '*/*' }, agent: false });
    const timer = setTimeout(() => {
      result.error = `no 1 MiB within ${timeoutMs} ms`;
      req.destroy();
      resolve({ result, req });
    }, timeoutMs);
    req.on('error', (err) => {
      result.error ??= err.message;
      clearTimeout(timer);
      resolve({ result, req });
    });
    req.on('response', (res) => {
      result.status = res.statusCode ?? 0;
      result.ms = Math.round(performance.now() - started);
      if (result.status !== 200) {
        const h = res.headers['retry-after'];
        if (h !== undefined) result.retryAfter = String(h);
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          if (result.status === 429)
            result.scope = /already have/.test(body) ? 'user' : /already serving/.test(body) ? 'server' : 'unknown';
          else result.error = `status ${result.status}: ${body.slice(0, 200)}`;
          clearTimeout(timer);
          resolve({ result, req, res });
        });
        return;
      }
      let got = 0;
      const onData = (c: Buffer) => {
        got += c.length;
        if (got < MIB) return;
        res.pause();
        res.off('data', onData);
        result.readBytes = got;
        result.stalledAt = Date.now();
        clearTimeout(timer);
        resolve({ result, req, res });
      };
      res.on('data', onData);
      res.on('end', () => {
        result.ended ??= 'ended early';
        if (result.readBytes === undefined) {
          result.error = `the download ended after ${got} bytes`;
          clearTimeout(timer);
          resolve({ result, req, res });
        }
      });
    });
    req.end();
  });
}

/** Round-robin order of `count` download requests over `users` (so every limit is met in turn). */
export function spread<T>(users: readonly T[], count: number): T[] {
  return Array.from({ length: count }, (_, i) => users[i % users.length]!);
}

/**
 * After the idle bound: reads what is left of a stalled download (a paused socket notices nothing)
 * and records how it ended, within `ms`: cut short (the app aborted it) or complete.
 */
export async function finishStalled(o: OpenDownload, ms: number): Promise<void> {
  const { res, result } = o;
  if (!res || result.stalledAt === undefined) return;
  let got = result.readBytes ?? 0;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => {
      result.ended ??= `still open ${ms} ms after the idle bound (${got} bytes read)`;
      resolve();
    }, ms);
    const done = (how: string) => {
      result.ended ??= `${how} after ${(got / MIB).toFixed(2)} MiB`;
      clearTimeout(timer);
      resolve();
    };
    res.on('data', (c: Buffer) => (got += c.length));
    res.once('end', () => done(res.complete ? 'complete' : 'cut short by the app'));
    res.once('error', () => done('cut short by the app'));
    res.once('close', () => done(res.complete ? 'complete' : 'cut short by the app'));
    res.resume();
  });
}
