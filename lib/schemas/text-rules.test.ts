import { describe, expect, it } from 'vitest';
import { DatastoreWizardSchema, wizardFieldErrors } from './datastore-wizard';
import { ImageRestoreSchema } from './restore';

// Issue 22 §7: the restore staging folder is pasted into shell lines on the hosts by the driver, and
// names with invisible or direction-changing characters read as something they are not.

const base = {
  requestId: '5b0f3b5e-4c8f-4a57-9a53-6c1f0d7c2a11',
  NAME: 'RBackups',
  cluster: '0',
  RESTIC_SFTP_SERVER: 'backup.example.com',
  RESTIC_SFTP_USER: '',
  RESTIC_PASSWORD: 'secret-pass',
  password_confirm: 'secret-pass',
};

function errorsOf(input: Record<string, unknown>) {
  const r = DatastoreWizardSchema.safeParse({ ...base, ...input });
  return r.success ? {} : wizardFieldErrors(r.error);
}

describe('RESTIC_TMP_DIR', () => {
  it.each(['/var/tmp', '/srv/restic-stage', '/a/b_c/d.e/F-9', '/x..y/.hidden'])('accepts %s', (dir) => {
    expect(errorsOf({ RESTIC_TMP_DIR: dir })).toEqual({});
  });

  it('leaves it out when blank', () => {
    expect(DatastoreWizardSchema.parse({ ...base, RESTIC_TMP_DIR: '  ' }).RESTIC_TMP_DIR).toBeUndefined();
  });

  it.each([
    '/tmp/$(touch /tmp/x)',
    '/tmp/`id`',
    '/tmp;id',
    '/tmp/../../etc',
    '/var/tmp/..',
    '/var/./tmp',
    '/var//tmp',
    '/var/tmp/',
    'var/tmp',
    '/var/tmp stage',
    '/var/tmp|x',
    '/var/tmp&x',
    '/var/tmp>x',
    '/var/tmp*',
    '/var/tmp\u202e',
    '/var/tmp\nid',
    '/vär/tmp',
  ])('refuses %j with a clear message', (dir) => {
    expect(errorsOf({ RESTIC_TMP_DIR: dir }).RESTIC_TMP_DIR?.[0]).toMatch(/absolute folder/);
  });
});

const INVISIBLE = [
  ['right-to-left override', '\u202e'],
  ['left-to-right embedding', '\u202a'],
  ['right-to-left isolate', '\u2067'],
  ['pop directional isolate', '\u2069'],
  ['left-to-right mark', '\u200e'],
  ['right-to-left mark', '\u200f'],
  ['zero-width space', '\u200b'],
  ['zero-width joiner', '\u200d'],
  ['word joiner', '\u2060'],
  ['byte order mark', '\ufeff'],
] as const;

describe('names with invisible or direction-changing characters', () => {
  it.each(INVISIBLE)('a datastore name with a %s is refused', (_what, ch) => {
    expect(errorsOf({ NAME: `Back${ch}ups` }).NAME?.[0]).toMatch(/invisible|direction/);
  });

  it.each(INVISIBLE)('an image name in the restore dialog with a %s is refused', (_what, ch) => {
    const r = ImageRestoreSchema.safeParse({ imageId: '5', datastoreId: '1', name: `disk${ch}gpj.exe` });
    expect(r.success).toBe(false);
    expect(r.error?.issues[0]?.message).toMatch(/invisible|direction/);
  });

  it('ordinary international names still pass', () => {
    expect(errorsOf({ NAME: 'Sauvegardes été' })).toEqual({});
    expect(ImageRestoreSchema.parse({ imageId: '5', datastoreId: '1', name: 'نسخة احتياطية' }).name).toBe(
      'نسخة احتياطية',
    );
  });
});
