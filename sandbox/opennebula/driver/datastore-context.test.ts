// How the driver reads a restic datastore's backend and S3 settings (reference §1.4, §7): defaults,
// normalisation, required attributes, and that only 7.4+ knows RESTIC_BACKEND.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeConfig } from '../config';
import { encrypt, ensureOneKey } from '../crypto';
import { frontendPaths } from '../paths';
import type { Datastore } from '../store/types';
import { remoteRepoUrl, resticBackend, resticDs } from './datastore-context';
import { restic, resticEnv } from './restic-command';

const dir = mkdtempSync(join(tmpdir(), 'backstone-dsctx-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const paths = frontendPaths(dir);
mkdirSync(paths.one, { recursive: true });
ensureOneKey(paths);

function atVersion(version: string): void {
  writeConfig(paths, {
    account: { name: 'oneadmin', uid: 0, gid: 0, home: dir },
    switchUser: false,
    restic: '/usr/bin/restic',
    backupServer: 'backup.sandbox',
    version,
    monitorIntervalS: 60,
  });
}

function ds(attrs: Record<string, string>): Datastore {
  const template = Object.entries({ RESTIC_PASSWORD: encrypt(paths, 'pw'), ...attrs }).map(([name, value]) => ({
    name,
    value: name === 'RESTIC_S3_SECRET_ACCESS_KEY' ? encrypt(paths, value) : value,
  }));
  return {
    id: 101,
    uid: 0,
    gid: 0,
    name: 'x',
    perms: [1, 1, 0, 0, 0, 0, 0, 0, 0],
    dsMad: 'restic',
    tmMad: '-',
    basePath: '/var/lib/one//datastores/101',
    type: 3,
    diskType: 0,
    state: 0,
    clusters: [0],
    totalMb: 0,
    freeMb: 0,
    usedMb: 0,
    template,
  };
}

const S3 = {
  RESTIC_BACKEND: 's3',
  RESTIC_S3_BUCKET: 'b',
  RESTIC_S3_ACCESS_KEY_ID: 'AKID',
  RESTIC_S3_SECRET_ACCESS_KEY: 'SECRET',
};

describe('RESTIC_BACKEND and the S3 settings', () => {
  it('7.4 reads S3 with the driver defaults; the repository has no datastore ID', () => {
    atVersion('7.4.0');
    const r = resticDs(paths, ds(S3));
    expect(r.s3).toEqual({
      endpoint: 's3.amazonaws.com',
      bucket: 'b',
      accessKeyId: 'AKID',
      secretAccessKey: 'SECRET',
      region: 'us-east-1',
      pathStyle: false,
      insecureTls: false,
    });
    expect(remoteRepoUrl(r, '42')).toBe('s3:s3.amazonaws.com/b/42');
    expect(remoteRepoUrl(r, 'job_7')).toBe('s3:s3.amazonaws.com/b/job_7');
  });

  it('normalises the endpoint and turns the flags into restic options on every command', () => {
    atVersion('7.4.0');
    const r = resticDs(
      paths,
      ds({
        ...S3,
        RESTIC_S3_ENDPOINT: 's3:https://minio.local:9000//',
        RESTIC_S3_REGION: 'eu-west-1',
        RESTIC_S3_FORCE_PATH_STYLE: 'YES',
        RESTIC_S3_INSECURE_TLS: 'yes',
        RESTIC_S3_CACERT: '/etc/ssl/ca.pem',
      }),
    );
    const url = remoteRepoUrl(r, '3');
    expect(url).toBe('s3:https://minio.local:9000/b/3');
    expect(restic(r, url, 'snapshots')).toBe(
      `"$RESTIC_BIN" '--option=s3.bucket-lookup=path' '--cacert=/etc/ssl/ca.pem' '--insecure-tls' '--repo=${url}' snapshots`,
    );
    const env = resticEnv('/usr/bin/restic', r);
    expect(env).toContain("export AWS_ACCESS_KEY_ID='AKID'");
    expect(env).toContain("export AWS_SECRET_ACCESS_KEY='SECRET'");
    expect(env).toContain("export AWS_DEFAULT_REGION='eu-west-1'");
    expect(env).toContain("export AWS_REGION='eu-west-1'");
  });

  it('fails the driver as Restic does for a missing required attribute or an unknown backend', () => {
    atVersion('7.4.0');
    const { RESTIC_S3_BUCKET: _, ...noBucket } = S3;
    expect(() => resticDs(paths, ds(noBucket))).toThrow(/^Wrong restic datastore configuration: RESTIC_S3_BUCKET/);
    expect(() => resticBackend(paths, ds({ RESTIC_BACKEND: 'nfs' }))).toThrow(
      'Wrong restic datastore configuration: Unknown RESTIC_BACKEND',
    );
    expect(resticBackend(paths, ds({}))).toBe('SFTP');
  });

  it('before 7.4 RESTIC_BACKEND means nothing: the datastore is SFTP (and needs its server)', () => {
    atVersion('7.2.0');
    expect(resticBackend(paths, ds(S3))).toBe('SFTP');
    expect(() => resticDs(paths, ds(S3))).toThrow(/undefined method `text'/);
  });
});
