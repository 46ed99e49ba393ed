// restic command lines as Restic#restic builds them: "$RESTIC_BIN" <opts> '--repo=<repo>' <cmd>,
// every option single-quoted, with the datastore's RESTIC_* attributes turned into options.
import { posix } from 'node:path';
import { shq } from '../../common/shell-quote';
import { getValue, type Template } from '../template/template';

/** Restic::S3's settings (7.4+), defaults as the driver applies them. */
export type S3Settings = {
  endpoint: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  pathStyle: boolean;
  cacert?: string;
  insecureTls: boolean;
};

export type ResticDs = {
  id: number;
  basePath: string;
  template: Template;
  password: string;
  sftpUser: string;
  sftpServer: string;
  /** Set for RESTIC_BACKEND = "S3": restic then runs on the front-end instead of the backup server. */
  s3?: S3Settings;
};

export function repoPath(ds: ResticDs, repoId: string): string {
  return posix.normalize(`${ds.basePath}/${repoId}`);
}

/** s3:<endpoint>/<bucket>/<repo_id>: the datastore ID is not part of it. */
export function s3Url(s3: S3Settings, repoId: string): string {
  return `s3:${s3.endpoint}/${s3.bucket}/${repoId}`;
}

/**
 * The repository as restic names it where the driver's repository commands run: a path on the
 * backup server (SFTP), or the S3 URL on the front-end.
 */
export function repoUrl(ds: ResticDs, repoId: string): string {
  return ds.s3 ? s3Url(ds.s3, repoId) : repoPath(ds, repoId);
}

export function repoId(vmId: number, bjId?: number): string {
  return bjId === undefined ? String(vmId) : `job_${bjId}`;
}

/** The environment the driver exports first in every script. */
export function resticEnv(resticBin: string, ds: ResticDs): string {
  const lines = [`export RESTIC_BIN=${shq(resticBin)}`, `export RESTIC_PASSWORD=${shq(ds.password)}`];
  const maxproc = getValue(ds.template, 'RESTIC_MAXPROC');
  if (maxproc && /^-?\d+$/.test(maxproc) && maxproc !== '-1') lines.push(`export GOMAXPROCS=${shq(maxproc)}`);
  if (ds.s3) {
    lines.push(
      `export AWS_ACCESS_KEY_ID=${shq(ds.s3.accessKeyId)}`,
      `export AWS_SECRET_ACCESS_KEY=${shq(ds.s3.secretAccessKey)}`,
      `export AWS_DEFAULT_REGION=${shq(ds.s3.region)}`,
      `export AWS_REGION=${shq(ds.s3.region)}`,
    );
  }
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
  if (repo.startsWith('s3:') && ds.s3) {
    // S3 options go on every command.
    if (ds.s3.pathStyle) all.option = 's3.bucket-lookup=path';
    if (ds.s3.cacert) all.cacert = ds.s3.cacert;
    if (ds.s3.insecureTls) all['insecure-tls'] = null;
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
