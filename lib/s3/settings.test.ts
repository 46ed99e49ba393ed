import { describe, expect, it } from 'vitest';
import {
  endpointUrl,
  missingS3Attributes,
  normalizeEndpoint,
  resticBackendOf,
  resticRepositoryUrl,
  s3ResticOptions,
  s3SettingsFromTemplate,
  sharedCredentialsText,
} from './settings';

const tpl = {
  RESTIC_BACKEND: 'S3',
  RESTIC_S3_ENDPOINT: 'http://s3-storage:8080/',
  RESTIC_S3_BUCKET: 'opennebula-backups',
  RESTIC_S3_ACCESS_KEY_ID: 'S3ACCESSKEYID',
  RESTIC_S3_SECRET_ACCESS_KEY: 'S3SECRETACCESSKEY',
  RESTIC_S3_FORCE_PATH_STYLE: 'YES',
};

describe('S3 settings', () => {
  it('reads the template with the driver defaults', () => {
    const s = s3SettingsFromTemplate(tpl);
    expect(s).toEqual({
      endpoint: 'http://s3-storage:8080',
      bucket: 'opennebula-backups',
      region: 'us-east-1',
      pathStyle: true,
      caCert: undefined,
      insecureTls: false,
      accessKeyId: 'S3ACCESSKEYID',
      secretAccessKey: 'S3SECRETACCESSKEY',
    });
    expect(s3SettingsFromTemplate({}).endpoint).toBe('s3.amazonaws.com');
  });

  it('takes an encrypted secret key from the decrypted secrets', () => {
    const { RESTIC_S3_SECRET_ACCESS_KEY: _, ...plain } = tpl;
    expect(s3SettingsFromTemplate(plain, { RESTIC_S3_SECRET_ACCESS_KEY: 'fromsecrets' }).secretAccessKey).toBe(
      'fromsecrets',
    );
    expect(missingS3Attributes(plain)).toEqual(['RESTIC_S3_SECRET_ACCESS_KEY']);
    expect(missingS3Attributes(plain, { RESTIC_S3_SECRET_ACCESS_KEY: 'x' })).toEqual([]);
  });

  it('builds the repository URL exactly as the driver does (no datastore ID)', () => {
    expect(resticRepositoryUrl(s3SettingsFromTemplate(tpl), '42')).toBe(
      's3:http://s3-storage:8080/opennebula-backups/42',
    );
    expect(resticRepositoryUrl({ endpoint: normalizeEndpoint('s3:minio.lan:9000//'), bucket: 'b' }, 'job_7')).toBe(
      's3:minio.lan:9000/b/job_7',
    );
    expect(resticRepositoryUrl({ endpoint: normalizeEndpoint(undefined), bucket: 'b' }, '1')).toBe(
      's3:s3.amazonaws.com/b/1',
    );
  });

  it('gives the client HTTPS unless the endpoint names a scheme', () => {
    expect(endpointUrl({ endpoint: 'minio.lan:9000' })).toBe('https://minio.lan:9000');
    expect(endpointUrl({ endpoint: 'http://127.0.0.1:9000' })).toBe('http://127.0.0.1:9000');
    expect(endpointUrl({ endpoint: 'HTTPS://x' })).toBe('HTTPS://x');
  });

  it('maps path style, CA file and insecure TLS to the options the driver passes', () => {
    expect(s3ResticOptions({ pathStyle: false, insecureTls: false })).toEqual([]);
    expect(
      s3ResticOptions(
        s3SettingsFromTemplate({
          RESTIC_S3_FORCE_PATH_STYLE: 'yes',
          RESTIC_S3_CACERT: "/etc/ssl/ca'.pem",
          RESTIC_S3_INSECURE_TLS: 'YES',
        }),
      ),
    ).toEqual(['--option=s3.bucket-lookup=path', '--cacert=/etc/ssl/ca.pem', '--insecure-tls']);
    expect(s3SettingsFromTemplate({ RESTIC_S3_FORCE_PATH_STYLE: 'NO' }).pathStyle).toBe(false);
  });

  it('knows the backend as the driver does', () => {
    expect(resticBackendOf({})).toBe('SFTP');
    expect(resticBackendOf({ RESTIC_BACKEND: 's3' })).toBe('S3');
    expect(resticBackendOf({ RESTIC_BACKEND: 'nfs' })).toBeUndefined();
  });

  it('writes a shared-credentials profile and refuses line breaks', () => {
    expect(sharedCredentialsText('backstone', { accessKeyId: 'AK', secretAccessKey: 'SK' })).toBe(
      '[backstone]\naws_access_key_id = AK\naws_secret_access_key = SK\n',
    );
    expect(() => sharedCredentialsText('p', { accessKeyId: 'AK\n[x]', secretAccessKey: 'SK' })).toThrow(TypeError);
  });
});
