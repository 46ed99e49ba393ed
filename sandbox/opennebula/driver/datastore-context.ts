// The restic view of a backup datastore, as the driver builds it from the decrypted DS XML.
import { posix } from 'node:path';
import { decrypt } from '../crypto';
import type { FrontendPaths } from '../paths';
import type { Datastore } from '../store/types';
import { getValue } from '../template/template';
import { readConfig } from '../config';
import type { ResticDs, S3Settings } from './restic-command';
import { repoPath, s3Url } from './restic-command';

/** One pair of surrounding quotes is stripped (the fix for OpenNebula #6666). */
export function stripQuotes(pw: string): string {
  const m = /^['"](.*)['"]$/.exec(pw);
  return m ? m[1]! : pw;
}

const WRONG = 'Wrong restic datastore configuration';

/** `major.minor` of a version string as a number pair compared in order. */
function atLeast(version: string, major: number, minor: number): boolean {
  const [a = 0, b = 0] = version.split('.').map(Number);
  return a > major || (a === major && b >= minor);
}

/**
 * RESTIC_BACKEND as the driver reads it: 7.4+ upper-cases it and knows SFTP and S3; older drivers
 * have no such attribute and always use SFTP.
 */
export function resticBackend(paths: FrontendPaths, ds: Datastore): 'SFTP' | 'S3' {
  if (!atLeast(readConfig(paths).version, 7, 4)) return 'SFTP';
  const b = (getValue(ds.template, 'RESTIC_BACKEND') ?? 'SFTP').toUpperCase();
  if (b !== 'SFTP' && b !== 'S3') throw new Error(`${WRONG}: Unknown RESTIC_BACKEND`);
  return b;
}

/** Restic::S3's attributes: three required, the rest with the driver's defaults. */
function s3Settings(paths: FrontendPaths, ds: Datastore): S3Settings {
  const need = (name: string) => {
    const v = getValue(ds.template, name);
    if (!v) throw new Error(`${WRONG}: ${name} is required`);
    return v;
  };
  const yes = (name: string) => (getValue(ds.template, name) ?? 'no').toLowerCase() === 'yes';
  const endpoint = (getValue(ds.template, 'RESTIC_S3_ENDPOINT') || 's3.amazonaws.com')
    .replace(/^s3:/, '')
    .replace(/\/+$/, '');
  const cacert = getValue(ds.template, 'RESTIC_S3_CACERT');
  return {
    endpoint,
    bucket: need('RESTIC_S3_BUCKET'),
    accessKeyId: need('RESTIC_S3_ACCESS_KEY_ID'),
    secretAccessKey: stripQuotes(decrypt(paths, need('RESTIC_S3_SECRET_ACCESS_KEY'))),
    region: getValue(ds.template, 'RESTIC_S3_REGION') || 'us-east-1',
    pathStyle: yes('RESTIC_S3_FORCE_PATH_STYLE'),
    ...(cacert ? { cacert } : {}),
    insecureTls: yes('RESTIC_S3_INSECURE_TLS'),
  };
}

export function resticDs(paths: FrontendPaths, ds: Datastore): ResticDs {
  const cipher = getValue(ds.template, 'RESTIC_PASSWORD');
  if (cipher === undefined) throw new Error('Wrong restic datastore configuration: no RESTIC_PASSWORD');
  const common = {
    id: ds.id,
    basePath: posix.normalize(ds.basePath),
    template: ds.template,
    password: stripQuotes(decrypt(paths, cipher)),
    sftpUser: getValue(ds.template, 'RESTIC_SFTP_USER') ?? 'oneadmin',
  };
  if (resticBackend(paths, ds) === 'S3') return { ...common, sftpServer: '', s3: s3Settings(paths, ds) };
  const server = getValue(ds.template, 'RESTIC_SFTP_SERVER');
  if (!server) throw new Error(`${WRONG}: undefined method \`text' for nil:NilClass`);
  return { ...common, sftpServer: server };
}

export function sftpUrl(ds: ResticDs, path: string): string {
  return `sftp:${ds.sftpUser}@${ds.sftpServer}:${path}`;
}

/** The repository as restic names it on the front-end and the hypervisors (sftp or S3 URL). */
export function remoteRepoUrl(ds: ResticDs, repoId: string): string {
  return ds.s3 ? s3Url(ds.s3, repoId) : sftpUrl(ds, repoPath(ds, repoId));
}

/** How restic on a hypervisor or the front-end reaches the sandbox backup server. */
export function sftpCommand(paths: FrontendPaths, server: string): string {
  return `ssh -F ${paths.hvSshConfig} ${server} -s sftp`;
}
