// Reading a snapshot the driver's way: `snapshots '<id>' --no-lock --json` on the backup server.
import type { FrontendPaths } from '../paths';
import { readConfig } from '../config';
import { fail, repoHostScript } from './remote';
import { repoUrl, restic, resticEnv, type ResticDs } from './restic-command';
import { shq } from '../../common/shell-quote';

export type Snapshot = {
  id: string;
  short_id: string;
  time: string;
  paths: string[];
  tags?: string[];
  hostname: string;
};

export async function snapshotInfo(
  paths: FrontendPaths,
  ds: ResticDs,
  repoId: string,
  snap: string,
): Promise<Snapshot> {
  const cfg = readConfig(paths);
  const cmd = restic(ds, repoUrl(ds, repoId), `snapshots ${shq(snap)}`, { 'no-lock': null, json: null });
  const r = await repoHostScript(paths, ds, `set -e -o pipefail\n${resticEnv(cfg.restic, ds)}\n${cmd}\n`);
  if (r.code !== 0) throw fail('restic snapshots', r);
  const list = JSON.parse(r.stdout || '[]') as Snapshot[];
  const s = list[0];
  if (!s) throw new Error(`snapshot ${snap} not found in ${repoUrl(ds, repoId)}`);
  return s;
}

/** restic `time` as `--time` takes it: local 'YYYY-MM-DD HH:MM:SS', fractions and offset dropped. */
export function resticTimeArg(epochSeconds: number): string {
  const d = new Date(epochSeconds * 1000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
}
