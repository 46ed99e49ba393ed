// The restic view of a backup datastore, as the driver builds it from the decrypted DS XML.
import { posix } from 'node:path';
import { decrypt } from '../crypto';
import type { FrontendPaths } from '../paths';
import type { Datastore } from '../store/types';
import { getValue } from '../template/template';
import type { ResticDs } from './restic-command';

/** One pair of surrounding quotes is stripped (the fix for OpenNebula #6666). */
export function stripQuotes(pw: string): string {
  const m = /^['"](.*)['"]$/.exec(pw);
  return m ? m[1]! : pw;
}

export function resticDs(paths: FrontendPaths, ds: Datastore): ResticDs {
  const cipher = getValue(ds.template, 'RESTIC_PASSWORD');
  if (cipher === undefined) throw new Error('Wrong restic datastore configuration: no RESTIC_PASSWORD');
  const server = getValue(ds.template, 'RESTIC_SFTP_SERVER');
  if (!server) throw new Error("Wrong restic datastore configuration: undefined method `text' for nil:NilClass");
  return {
    id: ds.id,
    basePath: posix.normalize(ds.basePath),
    template: ds.template,
    password: stripQuotes(decrypt(paths, cipher)),
    sftpUser: getValue(ds.template, 'RESTIC_SFTP_USER') ?? 'oneadmin',
    sftpServer: server,
  };
}

export function sftpUrl(ds: ResticDs, path: string): string {
  return `sftp:${ds.sftpUser}@${ds.sftpServer}:${path}`;
}

/** How restic on a hypervisor or the front-end reaches the sandbox backup server. */
export function sftpCommand(paths: FrontendPaths, server: string): string {
  return `ssh -F ${paths.hvSshConfig} ${server} -s sftp`;
}
