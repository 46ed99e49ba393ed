// How a datastore's RESTIC_* attributes become restic options, exactly as OpenNebula's driver
// applies them (its restic command builder): BWLIMIT on every command, CONNECTIONS (when not
// 5) and COMPRESSION (when not auto) only for backup, restore and dump, MAXPROC as GOMAXPROCS.

export type RepoOptions = {
  bwlimit?: string;
  connections: number;
  compression: 'auto' | 'off' | 'max';
  maxproc?: number;
  pruneMaxUnused: string;
  pruneMaxRepack?: string;
};

export const DEFAULT_REPO_OPTIONS: RepoOptions = { connections: 5, compression: 'auto', pruneMaxUnused: '0' };

function integer(v: string | undefined): number | undefined {
  if (v === undefined || !/^-?\d+$/.test(v.trim())) return undefined;
  return Number(v.trim());
}

/** Reads the options from a datastore template's attributes, with the driver's defaults and quirks. */
export function repoOptionsFromTemplate(t: Readonly<Record<string, string | undefined>>): RepoOptions {
  const comp = t.RESTIC_COMPRESSION ?? 'auto';
  // The driver checks the value as written: "MAX" from Sunstone silently means auto.
  const compression = comp === 'off' || comp === 'max' ? comp : 'auto';
  const maxproc = integer(t.RESTIC_MAXPROC);
  const bw = t.RESTIC_BWLIMIT?.trim();
  return {
    bwlimit: bw ? bw.replace(/["']/g, '') : undefined,
    connections: integer(t.RESTIC_CONNECTIONS) ?? 5,
    compression,
    maxproc: maxproc !== undefined && maxproc > 0 ? maxproc : undefined,
    pruneMaxUnused: t.RESTIC_PRUNE_MAX_UNUSED?.trim() || '0',
    pruneMaxRepack: t.RESTIC_PRUNE_MAX_REPACK?.trim() || undefined,
  };
}

export const PASSWORD_ON_STDIN = '--password-file=/dev/stdin';

const TRANSFER_COMMANDS = new Set(['backup', 'restore', 'dump']);

export type ArgvRequest = {
  binary: string;
  repository: string;
  command: string;
  args?: readonly string[];
  options: RepoOptions;
  /** Reads never take a lock, so they never block OpenNebula's backups. */
  noLock?: boolean;
  json?: boolean;
  quiet?: boolean;
  /**
   * Global options of the repository's backend: for S3 the ones the driver adds on every command
   * (path-style lookup, CA file, insecure TLS). `sftp.connections` is for SFTP only.
   */
  backendOptions?: readonly string[];
  backend?: 'sftp' | 's3';
};

/**
 * The argv of one restic call. The password is read from stdin (`--password-file=/dev/stdin`),
 * so it appears in no argv and no environment.
 */
export function resticArgv(r: ArgvRequest): { argv: string[]; env: Record<string, string> } {
  const o = r.options;
  const argv = [r.binary, PASSWORD_ON_STDIN, `--repo=${r.repository}`];
  if (r.noLock) argv.push('--no-lock');
  if (r.json) argv.push('--json');
  if (r.quiet) argv.push('--quiet');
  if (o.bwlimit) argv.push(`--limit-upload=${o.bwlimit}`, `--limit-download=${o.bwlimit}`);
  if (TRANSFER_COMMANDS.has(r.command)) {
    if (o.connections !== 5 && r.backend !== 's3') argv.push(`--option=sftp.connections=${o.connections}`);
    if (o.compression !== 'auto') argv.push(`--compression=${o.compression}`);
  }
  argv.push(...(r.backendOptions ?? []));
  argv.push(r.command, ...(r.args ?? []));
  const env: Record<string, string> = {};
  if (o.maxproc !== undefined) env.GOMAXPROCS = String(o.maxproc);
  return { argv, env };
}
