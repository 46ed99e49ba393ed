// restic command lines as Restic#restic builds them: "$RESTIC_BIN" <opts> '--repo=<repo>' <cmd>,
// every option single-quoted, with the datastore's RESTIC_* attributes turned into options.
import { posix } from 'node:path';
import { shq } from '../../common/shell-quote';
import { getValue, type Template } from '../template/template';

export type ResticDs = {
  id: number;
  basePath: string;
  template: Template;
  password: string;
  sftpUser: string;
  sftpServer: string;
};

export function repoPath(ds: ResticDs, repoId: string): string {
  return posix.normalize(`${ds.basePath}/${repoId}`);
}

export function repoId(vmId: number, bjId?: number): string {
  return bjId === undefined ? String(vmId) : `job_${bjId}`;
}

/** The environment the driver exports first in every script. */
export function resticEnv(resticBin: string, ds: ResticDs): string {
  const lines = [`export RESTIC_BIN=${shq(resticBin)}`, `export RESTIC_PASSWORD=${shq(ds.password)}`];
  const maxproc = getValue(ds.template, 'RESTIC_MAXPROC');
  if (maxproc && /^-?\d+$/.test(maxproc) && maxproc !== '-1') lines.push(`export GOMAXPROCS=${shq(maxproc)}`);
  return lines.join('\n');
}

const DATA_COMMANDS = ['backup', 'restore', 'dump'];

/**
 * One restic invocation. `repo` is a local path (backup server) or an sftp URL, in which case
 * `sftpCommand` tells restic how to reach the sandbox server (the driver relies on ssh config).
 */
export function restic(
  ds: ResticDs,
  repo: string,
  cmd: string,
  opts: Record<string, string | null> = {},
  sftpCommand?: string,
): string {
  const all: Record<string, string | null> = { ...opts };
  const bw = getValue(ds.template, 'RESTIC_BWLIMIT');
  if (bw) Object.assign(all, { 'limit-upload': bw, 'limit-download': bw });
  const verb = cmd.trimStart().split(/\s/)[0] ?? '';
  if (DATA_COMMANDS.includes(verb)) {
    const conns = getValue(ds.template, 'RESTIC_CONNECTIONS');
    if (conns && conns !== '5' && repo.startsWith('sftp:')) all.option = `sftp.connections=${conns}`;
    const comp = getValue(ds.template, 'RESTIC_COMPRESSION') ?? 'auto';
    if (comp === 'off' || comp === 'max') all.compression = comp;
  }
  const parts = Object.entries(all).map(([k, v]) => shq(v === null ? `--${k}` : `--${k}=${v.replace(/["']/g, '')}`));
  if (sftpCommand && repo.startsWith('sftp:')) parts.push(shq(`--option=sftp.command=${sftpCommand}`));
  return `"$RESTIC_BIN" ${[...parts, shq(`--repo=${repo}`)].join(' ')} ${cmd}`;
}

/** '--prune' '--max-unused=0' ['--max-repack-size=X'], as remove_snapshots passes them. */
export function pruneOpts(ds: ResticDs): Record<string, string | null> {
  const opts: Record<string, string | null> = {
    prune: null,
    'max-unused': getValue(ds.template, 'RESTIC_PRUNE_MAX_UNUSED') ?? '0',
  };
  const repack = getValue(ds.template, 'RESTIC_PRUNE_MAX_REPACK');
  if (repack) opts['max-repack-size'] = repack;
  return opts;
}
