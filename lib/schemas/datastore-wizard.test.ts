import { describe, expect, it } from 'vitest';
import { parseTemplate } from './template-syntax';
import { prefillFromTemplate, templateText } from './datastore-template';
import { DatastoreWizardSchema, usesSliceLimits, wizardFieldErrors, wizardInputFromFormData } from './datastore-wizard';

const base = {
  requestId: '5b0f3b5e-4c8f-4a57-9a53-6c1f0d7c2a11',
  NAME: 'RBackups',
  cluster: '0',
  RESTIC_SFTP_SERVER: 'backup.example.com',
  RESTIC_SFTP_USER: '',
  RESTIC_PASSWORD: 'a"b$c#d',
  password_confirm: 'a"b$c#d',
};

function errorsOf(input: Record<string, unknown>) {
  const r = DatastoreWizardSchema.safeParse({ ...base, ...input });
  return r.success ? {} : wizardFieldErrors(r.error);
}

describe('the datastore wizard schema', () => {
  it('accepts the driver’s ranges and fills its defaults', () => {
    const r = DatastoreWizardSchema.parse({
      ...base,
      RESTIC_NICE: '-19',
      RESTIC_IONICE: '-1',
      RESTIC_CPU_QUOTA: '400',
      RESTIC_PRUNE_MAX_UNUSED: 'unlimited',
      RESTIC_PRUNE_MAX_REPACK: '10G',
    });
    expect(r.RESTIC_SFTP_USER).toBe('oneadmin');
    expect(r.RESTIC_COMPRESSION).toBe('auto');
    expect(r.RESTIC_CPU_QUOTA).toBe('400');
    expect(r.RESTIC_MAXPROC).toBeUndefined();
  });

  it.each([
    [{ RESTIC_PASSWORD: "it's", password_confirm: "it's" }, 'RESTIC_PASSWORD'],
    [{ RESTIC_PASSWORD: '"quoted"', password_confirm: '"quoted"' }, 'RESTIC_PASSWORD'],
    [{ RESTIC_PASSWORD: 'two\nlines', password_confirm: 'two\nlines' }, 'RESTIC_PASSWORD'],
    [{ password_confirm: 'other' }, 'password_confirm'],
    [{ RESTIC_COMPRESSION: 'MAX' }, 'RESTIC_COMPRESSION'],
    [{ RESTIC_NICE: '20' }, 'RESTIC_NICE'],
    [{ RESTIC_IONICE: '8' }, 'RESTIC_IONICE'],
    [{ RESTIC_CONNECTIONS: '-1' }, 'RESTIC_CONNECTIONS'],
    [{ RESTIC_CPU_QUOTA: '0' }, 'RESTIC_CPU_QUOTA'],
    [{ RESTIC_BWLIMIT: '1.5' }, 'RESTIC_BWLIMIT'],
    [{ RESTIC_PRUNE_MAX_UNUSED: '5x' }, 'RESTIC_PRUNE_MAX_UNUSED'],
    [{ RESTIC_PRUNE_MAX_REPACK: '5%' }, 'RESTIC_PRUNE_MAX_REPACK'],
    [{ RESTIC_SFTP_SERVER: '-oProxyCommand=x' }, 'RESTIC_SFTP_SERVER'],
    [{ NAME: 'a/b' }, 'NAME'],
    [{ custom: [{ name: 'RESTIC_NICE', value: '1' }] }, 'custom.0.name'],
    [{ custom: [{ name: 'X', value: 'ends with \\' }] }, 'custom.0.value'],
    [
      {
        custom: [
          { name: 'x', value: '1' },
          { name: 'X', value: '2' },
        ],
      },
      'custom.1.name',
    ],
  ])('refuses %j (%s)', (input, key) => {
    expect(Object.keys(errorsOf(input))).toContain(key);
  });

  it('refuses anything that is not the form without throwing', () => {
    expect(DatastoreWizardSchema.safeParse(undefined).success).toBe(false);
    expect(DatastoreWizardSchema.safeParse({ NAME: 42, custom: 'x' }).success).toBe(false);
    expect(DatastoreWizardSchema.safeParse(wizardInputFromFormData(new FormData())).success).toBe(false);
  });

  it('slice limits are set only by values other than -1', () => {
    expect(usesSliceLimits(DatastoreWizardSchema.parse({ ...base, RESTIC_MAX_RIOPS: '-1' }))).toBe(false);
    expect(usesSliceLimits(DatastoreWizardSchema.parse({ ...base, RESTIC_MEMORY_MAX_MB: '512' }))).toBe(true);
  });
});

describe('the template text', () => {
  it('reads back, through oned’s grammar, to exactly the entered values', () => {
    const v = DatastoreWizardSchema.parse({ ...base, RESTIC_NICE: '5', custom: [{ name: 'note', value: 'a "b" c' }] });
    const attrs = parseTemplate(templateText(v));
    expect(attrs).toEqual([
      { name: 'NAME', value: 'RBackups' },
      { name: 'TYPE', value: 'BACKUP_DS' },
      { name: 'DS_MAD', value: 'restic' },
      { name: 'TM_MAD', value: '-' },
      { name: 'RESTIC_SFTP_SERVER', value: 'backup.example.com' },
      { name: 'RESTIC_SFTP_USER', value: 'oneadmin' },
      { name: 'RESTIC_PASSWORD', value: 'a"b$c#d' },
      { name: 'RESTIC_COMPRESSION', value: 'auto' },
      { name: 'RESTIC_NICE', value: '5' },
      { name: 'NOTE', value: 'a "b" c' },
    ]);
  });

  it('prefills from a pasted template, lower-casing Sunstone’s compression', () => {
    const p = prefillFromTemplate(
      'NAME = "x"\nTYPE = "BACKUP_DS"\nRESTIC_COMPRESSION = "OFF"\nRESTIC_PASSWORD = "p"\nSITE = "a"\n',
    );
    expect(p.values).toMatchObject({
      NAME: 'x',
      RESTIC_COMPRESSION: 'off',
      RESTIC_PASSWORD: 'p',
      password_confirm: 'p',
    });
    expect(p.custom).toEqual([{ name: 'SITE', value: 'a' }]);
    expect(p.notes.join(' ')).toContain('written as off');
  });
});

describe('an S3 datastore (OpenNebula 7.4)', () => {
  const s3 = {
    requestId: base.requestId,
    NAME: 'RBackups-S3',
    cluster: '0',
    RESTIC_BACKEND: 'S3',
    RESTIC_PASSWORD: 'opennebula',
    password_confirm: 'opennebula',
    RESTIC_S3_ENDPOINT: 'http://s3-storage:8080/',
    RESTIC_S3_BUCKET: 'opennebula-backups',
    RESTIC_S3_ACCESS_KEY_ID: 'S3ACCESSKEYID',
    RESTIC_S3_SECRET_ACCESS_KEY: 'S3SECRETACCESSKEY',
  };
  const s3Errors = (input: Record<string, unknown>) => {
    const r = DatastoreWizardSchema.safeParse({ ...s3, ...input });
    return r.success ? {} : wizardFieldErrors(r.error);
  };

  it('writes RESTIC_BACKEND="S3" and the RESTIC_S3_* attributes as ds_restic_s3.tpl, no SFTP ones', () => {
    const v = DatastoreWizardSchema.parse({
      ...s3,
      RESTIC_SFTP_USER: 'oneadmin', // the form's default for SFTP: not written
      RESTIC_S3_REGION: 'us-east-1',
      RESTIC_S3_FORCE_PATH_STYLE: 'yes',
      TOTAL_MB: '512000',
    });
    expect(parseTemplate(templateText(v))).toEqual([
      { name: 'NAME', value: 'RBackups-S3' },
      { name: 'TYPE', value: 'BACKUP_DS' },
      { name: 'DS_MAD', value: 'restic' },
      { name: 'TM_MAD', value: '-' },
      { name: 'RESTIC_BACKEND', value: 'S3' },
      { name: 'RESTIC_S3_ENDPOINT', value: 'http://s3-storage:8080' },
      { name: 'RESTIC_S3_BUCKET', value: 'opennebula-backups' },
      { name: 'RESTIC_S3_ACCESS_KEY_ID', value: 'S3ACCESSKEYID' },
      { name: 'RESTIC_S3_SECRET_ACCESS_KEY', value: 'S3SECRETACCESSKEY' },
      { name: 'RESTIC_S3_REGION', value: 'us-east-1' },
      { name: 'RESTIC_S3_FORCE_PATH_STYLE', value: 'YES' },
      { name: 'TOTAL_MB', value: '512000' },
      { name: 'RESTIC_PASSWORD', value: 'opennebula' },
      { name: 'RESTIC_COMPRESSION', value: 'auto' },
    ]);
  });

  it('leaves the driver’s defaults to the driver (endpoint, region, path style, TLS, capacity)', () => {
    const v = DatastoreWizardSchema.parse({ ...s3, RESTIC_S3_ENDPOINT: '' });
    const names = parseTemplate(templateText(v)).map((a) => a.name);
    expect(names).not.toContain('RESTIC_S3_ENDPOINT');
    expect(names).not.toContain('RESTIC_S3_REGION');
    expect(names).not.toContain('RESTIC_S3_FORCE_PATH_STYLE');
    expect(names).not.toContain('RESTIC_S3_INSECURE_TLS');
    expect(names).not.toContain('TOTAL_MB');
  });

  it('an SFTP template stays as before: no RESTIC_BACKEND, no S3 attribute', () => {
    const names = parseTemplate(templateText(DatastoreWizardSchema.parse(base))).map((a) => a.name);
    expect(names).not.toContain('RESTIC_BACKEND');
    expect(names.some((n) => n.startsWith('RESTIC_S3_'))).toBe(false);
  });

  it.each([
    [{ RESTIC_S3_BUCKET: '' }, 'RESTIC_S3_BUCKET', 'Enter the bucket.'],
    [{ RESTIC_S3_ACCESS_KEY_ID: '' }, 'RESTIC_S3_ACCESS_KEY_ID', 'Enter the access key ID.'],
    [{ RESTIC_S3_SECRET_ACCESS_KEY: '' }, 'RESTIC_S3_SECRET_ACCESS_KEY', 'Enter the secret access key.'],
    [{ RESTIC_S3_ENDPOINT: 's3.example.com' }, 'RESTIC_S3_ENDPOINT', 'http:// or https://'],
    [{ RESTIC_S3_ENDPOINT: 'ftp://s3.example.com' }, 'RESTIC_S3_ENDPOINT', 'http:// or https://'],
    [{ RESTIC_S3_ENDPOINT: 'https://s3.example.com/path' }, 'RESTIC_S3_ENDPOINT', 'no user, path'],
    [{ RESTIC_S3_ENDPOINT: 'https://user@s3.example.com' }, 'RESTIC_S3_ENDPOINT', 'no user, path'],
    [{ RESTIC_S3_ENDPOINT: 'http://s3:99999' }, 'RESTIC_S3_ENDPOINT', 'at most 65535'],
    [{ RESTIC_S3_BUCKET: 'Backups' }, 'RESTIC_S3_BUCKET', '3 to 63 lower-case'],
    [{ RESTIC_S3_BUCKET: 'ab' }, 'RESTIC_S3_BUCKET', '3 to 63 lower-case'],
    [{ RESTIC_S3_BUCKET: 'a..b' }, 'RESTIC_S3_BUCKET', '3 to 63 lower-case'],
    [{ RESTIC_S3_BUCKET: '192.168.1.1' }, 'RESTIC_S3_BUCKET', 'not an IP address'],
    [{ RESTIC_S3_BUCKET: 'backups-s3alias' }, 'RESTIC_S3_BUCKET', 'reserves'],
    [{ RESTIC_S3_ACCESS_KEY_ID: 'two words' }, 'RESTIC_S3_ACCESS_KEY_ID', 'without spaces'],
    [{ RESTIC_S3_SECRET_ACCESS_KEY: "it's" }, 'RESTIC_S3_SECRET_ACCESS_KEY', "may not contain '"],
    [{ RESTIC_S3_REGION: 'us east' }, 'RESTIC_S3_REGION', 'such as us-east-1'],
    [{ RESTIC_S3_FORCE_PATH_STYLE: 'true' }, 'RESTIC_S3_FORCE_PATH_STYLE', 'yes or no'],
    [{ RESTIC_S3_CACERT: 'ca.pem' }, 'RESTIC_S3_CACERT', 'absolute file path'],
    [{ RESTIC_S3_CACERT: '/etc/ssl/../ca.pem' }, 'RESTIC_S3_CACERT', 'absolute file path'],
    [
      { RESTIC_S3_CACERT: '/etc/ssl/ca.pem', RESTIC_S3_INSECURE_TLS: 'yes' },
      'RESTIC_S3_INSECURE_TLS',
      'CA certificate file',
    ],
    [{ TOTAL_MB: '0' }, 'TOTAL_MB', 'The capacity must be'],
    [{ RESTIC_SFTP_SERVER: 'backup.example.com' }, 'RESTIC_SFTP_SERVER', 'for SFTP datastores'],
    [{ RESTIC_CONNECTIONS: '8' }, 'RESTIC_CONNECTIONS', 'for SFTP datastores'],
    [{ RESTIC_BACKEND: 'ceph' }, 'RESTIC_BACKEND', 'SFTP or S3'],
  ])('refuses %j on %s with a clear message', (input, key, message) => {
    const errors = s3Errors(input);
    expect(Object.keys(errors)).toContain(key);
    expect(errors[key]!.join(' ')).toContain(message);
  });

  it('refuses S3 attributes on an SFTP datastore instead of dropping them', () => {
    expect(errorsOf({ RESTIC_S3_BUCKET: 'opennebula-backups' }).RESTIC_S3_BUCKET?.[0]).toMatch(
      /for S3 datastores: leave it empty, or choose S3/,
    );
    expect(errorsOf({ RESTIC_SFTP_SERVER: '' }).RESTIC_SFTP_SERVER).toEqual(['Enter the backup server.']);
  });

  it('accepts endpoints the driver takes: https, http with a port, an IPv6 literal, lower-case s3', () => {
    for (const e of ['https://s3.eu-west-1.amazonaws.com', 'http://10.0.0.5:9000', 'http://[::1]:9000'])
      expect(s3Errors({ RESTIC_S3_ENDPOINT: e })).toEqual({});
    expect(DatastoreWizardSchema.parse({ ...s3, RESTIC_BACKEND: 's3' }).RESTIC_BACKEND).toBe('S3');
  });

  it('prefills from ds_restic_s3.tpl, the checkboxes as the wizard holds them', () => {
    const p = prefillFromTemplate(
      'NAME = "RBackups-S3"\nRESTIC_BACKEND = "s3"\nRESTIC_S3_BUCKET = "b-1"\nRESTIC_S3_FORCE_PATH_STYLE = "YES"\nTOTAL_MB = "512000"\n',
    );
    expect(p.values).toMatchObject({
      RESTIC_BACKEND: 'S3',
      RESTIC_S3_BUCKET: 'b-1',
      RESTIC_S3_FORCE_PATH_STYLE: 'yes',
      TOTAL_MB: '512000',
    });
    expect(p.custom).toEqual([]);
    // No RESTIC_BACKEND is the driver's SFTP.
    expect(prefillFromTemplate('NAME = "x"\nRESTIC_SFTP_SERVER = "b"\n').values.RESTIC_BACKEND).toBe('SFTP');
  });
});
