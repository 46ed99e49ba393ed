// restic/monitor. For SFTP (Restic::SFTP#monitor_stats): on the backup server, `mkdir -p` the base
// path, check the synced restic and VERSION (syncing them when they differ), then `df -PBM`.
import { posix } from 'node:path';
import { copyFileSync, chmodSync, chownSync, writeFileSync } from 'node:fs';
import { shq } from '../../common/shell-quote';
import { run } from '../../common/process';
import type { FrontendPaths } from '../paths';
import { readConfig } from '../config';
import { sshScript } from './remote';
import type { Datastore, Db } from '../store/types';
import { getValue } from '../template/template';
import { IMAGE_TYPE } from '../ops/states';

export type Capacity = { usedMb: number; totalMb: number; freeMb: number };

/** The driver's three lines, `USED_MB=25168M` etc.; oned keeps the number (istringstream >> float). */
export function parseMonitorOutput(out: string): Capacity | undefined {
  const get = (k: string) => {
    const m = new RegExp(`^${k}=([0-9.]+)`, 'm').exec(out);
    return m ? Math.floor(parseFloat(m[1]!)) : undefined;
  };
  const usedMb = get('USED_MB');
  const totalMb = get('TOTAL_MB');
  const freeMb = get('FREE_MB');
  return usedMb === undefined || totalMb === undefined || freeMb === undefined
    ? undefined
    : { usedMb, totalMb, freeMb };
}

function dfLine(line: string): string {
  const cols = line.trim().split(/\s+/);
  return `USED_MB=${cols[2]}\nTOTAL_MB=${cols[1]}\nFREE_MB=${cols[3]}\n`;
}

/** HostSyncManager#update_remotes: VERSION and the restic binary into /var/tmp/one. */
function syncRemotes(paths: FrontendPaths): void {
  const cfg = readConfig(paths);
  writeFileSync(posix.join(paths.remotesDir, 'VERSION'), `${cfg.version}\n`);
  if (cfg.restic !== paths.syncedRestic) copyFileSync(cfg.restic, paths.syncedRestic);
  chmodSync(paths.syncedRestic, 0o755);
  if (cfg.switchUser) chownSync(posix.join(paths.remotesDir, 'VERSION'), cfg.account.uid, cfg.account.gid);
}

export async function monitorResticDs(paths: FrontendPaths, basePath: string): Promise<Capacity | undefined> {
  const cfg = readConfig(paths);
  const base = `${posix.normalize(basePath)}/`;
  const script = (check: boolean) =>
    [
      'set -e -o pipefail; shopt -qs failglob',
      `mkdir -p ${shq(base)}`,
      check
        ? `[[ -x ${shq(paths.syncedRestic)} ]] && [[ -f ${shq(`${paths.remotesDir}/VERSION`)} ]] && [[ ${shq(cfg.version)} = $(head -1 ${shq(`${paths.remotesDir}/VERSION`)}) ]] && echo true || echo false`
        : 'true',
      `df -PBM ${shq(base)} | tail -1`,
    ].join('\n') + '\n';
  let r = await sshScript(paths, cfg.backupServer, script(true));
  if (r.code !== 0) return undefined;
  if (r.stdout.startsWith('false')) {
    syncRemotes(paths);
    r = await sshScript(paths, cfg.backupServer, script(false));
  }
  const lines = r.stdout.trim().split('\n');
  return parseMonitorOutput(dfLine(lines[lines.length - 1] ?? ''));
}

/**
 * Restic::S3#monitor_stats (7.4+): USED_MB is the sum of SIZE over the datastore's backup images
 * (TYPE 6, read through the API), TOTAL_MB the datastore's TOTAL_MB (default 1048576), FREE_MB
 * max(TOTAL - USED, 0). The bucket itself is never asked.
 */
export function monitorS3Ds(db: Db, ds: Datastore): Capacity {
  const usedMb = db.images
    .filter((i) => i.datastoreId === ds.id && i.type === IMAGE_TYPE.BACKUP)
    .reduce((sum, i) => sum + i.size, 0);
  const total = Number(getValue(ds.template, 'TOTAL_MB') ?? '');
  const totalMb = Number.isFinite(total) && total > 0 ? Math.floor(total) : 1048576;
  return { usedMb, totalMb, freeMb: Math.max(totalMb - usedMb, 0) };
}

/** Image and system datastores are monitored on the front-end with the same df. */
export async function monitorLocalDs(basePath: string): Promise<Capacity | undefined> {
  const r = await run('df', ['-PBM', posix.normalize(basePath)]);
  if (r.code !== 0) return undefined;
  const lines = r.stdout.trim().split('\n');
  return parseMonitorOutput(dfLine(lines[lines.length - 1] ?? ''));
}
