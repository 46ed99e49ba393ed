import { describe, expect, it } from 'vitest';
import { initialState, initialValues, stepOf, valuesOfBackend, wizardReducer, type WizardState } from './wizard-state';

const start = (): WizardState => initialState('100');

describe('wizardReducer', () => {
  it('starts on the first step with the defaults', () => {
    const s = start();
    expect(s).toMatchObject({ step: 'general', visited: 0, custom: [], errors: {} });
    expect(s.values).toMatchObject({ cluster: '100', RESTIC_SFTP_USER: 'oneadmin', RESTIC_COMPRESSION: 'auto' });
    expect(s.preflight).toBeUndefined();
  });

  it('remembers the furthest step opened, going back keeps it', () => {
    let s = wizardReducer(start(), { type: 'go', step: 'repository' });
    expect(s).toMatchObject({ step: 'repository', visited: 2 });
    s = wizardReducer(s, { type: 'go', step: 'general' });
    expect(s).toMatchObject({ step: 'general', visited: 2 });
  });

  it('merges typed values and leaves the others', () => {
    let s = wizardReducer(start(), { type: 'set', values: { NAME: 'backups' } });
    s = wizardReducer(s, { type: 'set', values: { RESTIC_PASSWORD: 'p', password_confirm: 'p' } });
    expect(s.values).toMatchObject({ NAME: 'backups', RESTIC_PASSWORD: 'p', password_confirm: 'p', cluster: '100' });
  });

  it('shows errors, and opens the step of the first when asked', () => {
    const s = wizardReducer(wizardReducer(start(), { type: 'go', step: 'review' }), {
      type: 'errors',
      errors: { RESTIC_PASSWORD: ['Too short.'] },
      step: 'repository',
    });
    expect(s).toMatchObject({ step: 'repository', visited: 5, errors: { RESTIC_PASSWORD: ['Too short.'] } });
    expect(wizardReducer(s, { type: 'errors', errors: {} })).toMatchObject({ step: 'repository', errors: {} });
  });

  it('a pasted template fills values, replaces custom attributes and clears the errors', () => {
    let s = wizardReducer(start(), { type: 'custom', custom: [{ name: 'OLD', value: '1' }] });
    s = wizardReducer(s, { type: 'errors', errors: { NAME: ['Required.'] } });
    s = wizardReducer(s, {
      type: 'prefill',
      prefill: { values: { NAME: 'pasted' }, custom: [{ name: 'LABEL', value: 'x' }], notes: [] },
    });
    expect(s.values).toMatchObject({ NAME: 'pasted', RESTIC_SFTP_USER: 'oneadmin' });
    expect(s.custom).toEqual([{ name: 'LABEL', value: 'x' }]);
    expect(s.errors).toEqual({});
  });

  it('keeps the last backup server check with the fields it checked', () => {
    const s = wizardReducer(start(), { type: 'preflight', key: '{"a":1}', state: { status: 'failed', message: 'x' } });
    expect(s.preflight).toEqual({ key: '{"a":1}', state: { status: 'failed', message: 'x' } });
  });
});

describe('the chosen backend', () => {
  it('starts on SFTP, and checks and sends only the chosen backend’s fields', () => {
    const v = initialValues('0');
    expect(v.RESTIC_BACKEND).toBe('SFTP');
    const typed = { ...v, RESTIC_SFTP_SERVER: 'backup', RESTIC_S3_BUCKET: 'bucket-1', RESTIC_CONNECTIONS: '8' };
    expect(valuesOfBackend(typed)).toMatchObject({ RESTIC_SFTP_SERVER: 'backup', RESTIC_CONNECTIONS: '8' });
    expect(valuesOfBackend(typed)).not.toHaveProperty('RESTIC_S3_BUCKET');
    const s3 = valuesOfBackend({ ...typed, RESTIC_BACKEND: 'S3' });
    expect(s3).toMatchObject({ RESTIC_S3_BUCKET: 'bucket-1', NAME: '' });
    expect(s3).not.toHaveProperty('RESTIC_SFTP_SERVER');
    expect(s3).not.toHaveProperty('RESTIC_CONNECTIONS');
    expect(stepOf('RESTIC_S3_SECRET_ACCESS_KEY')).toBe('server');
    expect(stepOf('RESTIC_BACKEND')).toBe('general');
  });
});
