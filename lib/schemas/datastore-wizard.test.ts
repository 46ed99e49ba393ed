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
