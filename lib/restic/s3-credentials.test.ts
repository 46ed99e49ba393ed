import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { s3SettingsFromTemplate } from '@/lib/s3/settings';
import { resticArgv, DEFAULT_REPO_OPTIONS } from './options';
import { S3_PROFILE, withS3Credentials } from './s3-credentials';

const settings = s3SettingsFromTemplate({
  RESTIC_S3_ENDPOINT: 'http://127.0.0.1:9000',
  RESTIC_S3_BUCKET: 'backups',
  RESTIC_S3_ACCESS_KEY_ID: 'AKIATESTKEYID',
  RESTIC_S3_SECRET_ACCESS_KEY: 'sEcReT/Key+Value',
  RESTIC_S3_REGION: 'eu-west-1',
});

describe('withS3Credentials', () => {
  it('writes the keys to a 0600 file in a 0700 folder, and removes it after; the password is never written', async () => {
    let seen = '';
    await withS3Credentials(settings, async ({ env }) => {
      const file = env.AWS_SHARED_CREDENTIALS_FILE!;
      seen = file;
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(statSync(dirname(file)).mode & 0o777).toBe(0o700);
      expect(readFileSync(file, 'utf8')).toBe(
        `[${S3_PROFILE}]\naws_access_key_id = AKIATESTKEYID\naws_secret_access_key = sEcReT/Key+Value\n`,
      );
      // Nothing else in the folder: the repository password goes to restic on stdin.
      expect(readdirSync(dirname(file))).toEqual([basename(file)]);
      // The environment names a file and a profile only: no key.
      expect(env).toEqual({
        AWS_SHARED_CREDENTIALS_FILE: file,
        AWS_PROFILE: S3_PROFILE,
        AWS_DEFAULT_REGION: 'eu-west-1',
        AWS_REGION: 'eu-west-1',
      });
      expect(JSON.stringify(env)).not.toMatch(/sEcReT|AKIATESTKEYID/);
    });
    expect(existsSync(seen)).toBe(false);
  });

  it('removes the files when the command fails', async () => {
    let file = '';
    await expect(
      withS3Credentials(settings, async ({ env }) => {
        file = env.AWS_SHARED_CREDENTIALS_FILE!;
        throw new Error('restic failed');
      }),
    ).rejects.toThrow('restic failed');
    expect(existsSync(file)).toBe(false);
  });
});

describe('resticArgv for S3', () => {
  it('passes the S3 options and the s3: repository, never a key, and no sftp.connections', () => {
    const { argv, env } = resticArgv({
      binary: 'restic',
      repository: 's3:http://127.0.0.1:9000/backups/42',
      command: 'dump',
      args: ['abcd1234', '/x'],
      options: { ...DEFAULT_REPO_OPTIONS, connections: 9 },
      backend: 's3',
      backendOptions: ['--option=s3.bucket-lookup=path', '--cacert=/etc/ca.pem'],
    });
    expect(argv).toEqual([
      'restic',
      '--password-file=/dev/stdin',
      '--repo=s3:http://127.0.0.1:9000/backups/42',
      '--option=s3.bucket-lookup=path',
      '--cacert=/etc/ca.pem',
      'dump',
      'abcd1234',
      '/x',
    ]);
    expect(env).toEqual({});
  });
});
