import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { FREE_TEXT_FIELDS, hostileCorpus } from '@/scripts/test-support/hostile-corpus';
import { AlertRulesSchema, EmailChannelSchema, SendTestSchema, WebhookChannelSchema } from './alerts';
import { BackupJobActionSchema, BackupJobCancelSchema } from './backup-jobs';
import {
  PreflightRequestSchema,
  S3_PREFLIGHT_FIELDS,
  S3PreflightRequestSchema,
  TrustHostKeySchema,
} from './datastore-preflight';
import { RESTIC_FIELDS } from './datastore-fields';
import { DatastoreWizardSchema, wizardInputFromFormData } from './datastore-wizard';
import { ExpectedIntervalSchema } from './expected-interval';
import {
  CheckSchema,
  DanglingImageDeleteSchema,
  OrphanForgetSchema,
  RemoveAllLocksSchema,
  RepositoryTargetSchema,
} from './maintenance';
import { DatastoreIdParam, parseParam, RepositoryParam, SnapshotParam } from './params';
import { ImageRestoreSchema, JobIdSchema, ServerRestoreSchema } from './restore';
import { PruneAllSchema, ScheduleUpdateSchema, VerifyAllSchema } from './schedules';
import { SignInSchema } from './sign-in';
import { VmBackupConfigSchema, VmBackupNowSchema, VmPowerOffSchema, VmRestoreInPlaceSchema } from './vm-actions';

// The hostile-input corpus (issue 12) at the boundary itself: every string of the full corpus, alone
// and wrapped around a valid value, through every field of every action's schema. The end-to-end
// spec (e2e/hostile-input.spec.ts) sends the corpus over HTTP through the same fields, the full one
// to free-text fields and every family of it to closed ones; here every closed field meets every
// string, at no server's cost.
//
// What must hold: parsing never throws; a refusal names what is wrong; a closed field (an ID, a
// number, a choice, a checkbox, an attribute name) carries nothing, once parsed, that has a shell, template,
// XML or path character. Free-text fields (names, passwords, hosts, confirmations typed by a person)
// may accept such values: the quoter, the template writer and OpenNebula's own checks take over, and
// their tests feed them the same corpus (lib/exec/quote.test.ts, template-syntax.test.ts).

const CANARY = '/tmp/backstone-canary-boundary';
/** What a closed field may carry once accepted: a number, a flag, or a string of these characters. */
const HARMLESS = /^[A-Za-z0-9_.:+-]*$/;
function harmless(parsed: unknown): boolean {
  if (parsed === undefined || typeof parsed === 'number' || typeof parsed === 'boolean') return true;
  if (typeof parsed === 'string') return HARMLESS.test(parsed);
  if (Array.isArray(parsed)) return parsed.every(harmless);
  return false;
}

type Case = {
  schema: z.ZodType;
  /** Valid form values: the base parses, so a refusal is the fuzzed field's. */
  base: Record<string, string>;
  /** The free-text fields; every other field is closed. */
  text: string[];
  /** How the action turns form values into the schema's input (default: as they are). */
  input?: (fields: Record<string, string>) => unknown;
  /** A field that repeats the fuzzed one (a password's confirmation). */
  mirror?: Record<string, string>;
};

const target = { datastoreId: '100', repository: '7' };
const ID = (name: string) => ({
  schema: JobIdSchema,
  base: { [name]: '5' },
  text: [],
  input: (f: Record<string, string>) => f[name],
});

const wizardBase: Record<string, string> = {
  requestId: '5b0f3b5e-4c8f-4a57-9a53-6c1f0d7c2a11',
  NAME: 'RBackups',
  cluster: '0',
  RESTIC_SFTP_SERVER: 'backup.example.com',
  RESTIC_SFTP_USER: 'oneadmin',
  RESTIC_PASSWORD: 'a"b$c#d',
  password_confirm: 'a"b$c#d',
  custom_name: 'HOSTILE_NOTE',
  custom_value: 'x',
};

const s3Base: Record<string, string> = {
  RESTIC_S3_ENDPOINT: 'http://127.0.0.1:9000',
  RESTIC_S3_BUCKET: 'opennebula-backups',
  RESTIC_S3_ACCESS_KEY_ID: 'S3ACCESSKEYID',
  RESTIC_S3_SECRET_ACCESS_KEY: 'S3SECRETACCESSKEY',
};

/** The S3 datastore's base: no backup server, the bucket's settings instead. */
const wizardS3Base: Record<string, string> = {
  ...Object.fromEntries(Object.entries(wizardBase).filter(([k]) => !k.startsWith('RESTIC_SFTP_'))),
  RESTIC_BACKEND: 'S3',
  ...s3Base,
};

/** Free-text S3 fields: typed by a person, checked by the template writer and the driver's rules. */
const S3_TEXT = ['RESTIC_S3_ENDPOINT', 'RESTIC_S3_BUCKET', 'RESTIC_S3_ACCESS_KEY_ID', 'RESTIC_S3_SECRET_ACCESS_KEY'];
const S3_TEXT_ALL = [...S3_TEXT, 'RESTIC_S3_CACERT'];

function wizardInput(fields: Record<string, string>): unknown {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.append(k, v);
  return wizardInputFromFormData(fd);
}

const CASES: Record<string, Case> = {
  signIn: {
    schema: SignInSchema,
    base: { username: 'alice', password: 'pw', next: '/' },
    text: ['username', 'password', 'next'],
  },
  imageRestore: {
    schema: ImageRestoreSchema,
    base: { imageId: '5', datastoreId: '1', name: '', noNic: '', noIp: '', incrementId: '', diskId: '' },
    text: ['name'],
  },
  serverRestore: {
    schema: ServerRestoreSchema,
    base: { ...target, imageId: '5', incrementId: '', folder: 'restore-1' },
    text: ['folder'],
  },
  cancelJob: ID('jobId'),
  expectedInterval: { schema: ExpectedIntervalSchema, base: { datastoreId: '100', hours: '24' }, text: [] },
  backupJob: { schema: BackupJobActionSchema, base: { jobId: '3' }, text: [] },
  backupJobCancel: { schema: BackupJobCancelSchema, base: { jobId: '3', confirm: 'nightly' }, text: ['confirm'] },
  wizard: {
    schema: DatastoreWizardSchema,
    base: wizardBase,
    input: wizardInput,
    mirror: { RESTIC_PASSWORD: 'password_confirm', password_confirm: 'RESTIC_PASSWORD' },
    text: [
      'NAME',
      'RESTIC_SFTP_SERVER',
      'RESTIC_SFTP_USER',
      'RESTIC_PASSWORD',
      'password_confirm',
      'RESTIC_TMP_DIR',
      'custom_value',
      ...S3_TEXT_ALL,
    ],
  },
  wizardS3: {
    schema: DatastoreWizardSchema,
    base: wizardS3Base,
    input: wizardInput,
    mirror: { RESTIC_PASSWORD: 'password_confirm', password_confirm: 'RESTIC_PASSWORD' },
    text: ['NAME', 'RESTIC_PASSWORD', 'password_confirm', 'RESTIC_TMP_DIR', 'custom_value', ...S3_TEXT_ALL],
  },
  s3Preflight: {
    schema: S3PreflightRequestSchema,
    base: s3Base,
    text: S3_TEXT_ALL,
  },
  preflight: {
    schema: PreflightRequestSchema,
    base: { RESTIC_SFTP_SERVER: 'backup.example.com', RESTIC_SFTP_USER: 'oneadmin', cluster: '0' },
    text: ['RESTIC_SFTP_SERVER', 'RESTIC_SFTP_USER'],
  },
  trustHostKey: {
    schema: TrustHostKeySchema,
    base: { RESTIC_SFTP_SERVER: 'backup.example.com', fingerprint: `SHA256:${'A'.repeat(43)}` },
    text: ['RESTIC_SFTP_SERVER'],
  },
  repositoryTarget: { schema: RepositoryTargetSchema, base: target, text: [] },
  removeAllLocks: { schema: RemoveAllLocksSchema, base: { ...target, confirm: '7', override: '' }, text: ['confirm'] },
  orphanForget: {
    schema: OrphanForgetSchema,
    base: { ...target, confirm: '7' },
    input: (f) => ({ ...f, snapshots: [f.snapshot ?? 'a'.repeat(64)] }),
    text: ['confirm'],
  },
  danglingImage: {
    schema: DanglingImageDeleteSchema,
    base: { ...target, imageId: '9', confirm: '9' },
    text: ['confirm'],
  },
  check: { schema: CheckSchema, base: { ...target, mode: 'read-data', percent: '10' }, text: [] },
  backupNow: { schema: VmBackupNowSchema, base: { vmId: '3', datastoreId: '100', reset: '' }, text: [] },
  powerOff: { schema: VmPowerOffSchema, base: { vmId: '3', confirm: 'poweroff' }, text: [] },
  restoreInPlace: {
    schema: VmRestoreInPlaceSchema,
    base: { vmId: '3', imageId: '5', incrementId: '', diskId: '', confirm: 'web' },
    text: ['confirm'],
  },
  backupConfig: {
    schema: VmBackupConfigSchema,
    base: {
      vmId: '3',
      mode: 'INCREMENT',
      incrementMode: 'SNAPSHOT',
      keepLast: '7',
      fsFreeze: 'AGENT',
      backupVolatile: '',
    },
    text: [],
  },
  schedule: {
    schema: ScheduleUpdateSchema,
    base: {
      datastoreId: '100',
      kind: 'lock-watch',
      enabled: 'on',
      every: '5',
      unit: 'minutes',
      subsets: '',
      staleAfterMinutes: '30',
      autoUnlock: '',
    },
    text: [],
  },
  verifyAll: { schema: VerifyAllSchema, base: { datastoreId: '100' }, text: [] },
  pruneAll: { schema: PruneAllSchema, base: { datastoreId: '100', confirm: 'RBackups' }, text: ['confirm'] },
  alertRules: {
    schema: AlertRulesSchema,
    base: { fullPercent: '90', fullWithinDays: '30', digest: '', digestHourUtc: '8' },
    text: [],
  },
  emailChannel: {
    schema: EmailChannelSchema,
    base: {
      enabled: 'on',
      host: 'smtp.example.com',
      port: '25',
      security: 'none',
      user: '',
      password: '',
      clearPassword: '',
      from: 'backstone@example.test',
      to: 'oncall@example.test',
    },
    text: ['host', 'user', 'password', 'from', 'to'],
  },
  webhookChannel: {
    schema: WebhookChannelSchema,
    base: { enabled: 'on', url: 'https://hooks.example.com/x', secret: 'a-webhook-secret-of-length' },
    text: ['url', 'secret'],
  },
  sendTest: { schema: SendTestSchema, base: { channel: 'email' }, text: [] },
};

/** What a field became once parsed (the wizard gathers its custom attribute's name into `custom`). */
function parsedField(data: unknown, field: string): unknown {
  const o = data as Record<string, unknown> & { custom?: { name: string }[] };
  return field === 'custom_name' ? o.custom?.[0]?.name : o[field];
}

/** The fields a case fuzzes: its base's, and every wizard field (most are optional and absent from the base). */
function fieldsOf(name: string, c: Case): string[] {
  const extra =
    name === 'wizard' || name === 'wizardS3'
      ? RESTIC_FIELDS.map((f) => f.name)
      : name === 's3Preflight'
        ? [...S3_PREFLIGHT_FIELDS]
        : name === 'orphanForget'
          ? ['snapshot']
          : [];
  return [...new Set([...Object.keys(c.base), ...extra])];
}

describe('the hostile-input corpus at every action schema', () => {
  it('the free-text fields here are the ones the end-to-end spec sends the most of the corpus', () => {
    const here = new Set(Object.values(CASES).flatMap((c) => c.text));
    expect([...here].sort()).toEqual([...FREE_TEXT_FIELDS].sort());
  });

  for (const [name, c] of Object.entries(CASES)) {
    const parse = (fields: Record<string, string>) => c.schema.safeParse(c.input ? c.input(fields) : fields);

    it(`${name}: the base parses (a refusal below is the fuzzed field's)`, () => {
      expect(parse(c.base).success).toBe(true);
    });

    for (const field of fieldsOf(name, c)) {
      it(`${name} ${field}: never throws, refuses with a message, a closed field takes nothing hostile`, () => {
        const closed = !c.text.includes(field);
        const corpus = hostileCorpus(CANARY, c.base[field] || 'x');
        expect(corpus.length).toBeGreaterThanOrEqual(400);
        const wrong: string[] = [];
        for (const value of corpus) {
          const mirrored = c.mirror?.[field];
          const r = parse({ ...c.base, [field]: value, ...(mirrored ? { [mirrored]: value } : {}) });
          if (!r.success) {
            if (!r.error.issues.every((i) => i.message.trim().length > 0))
              wrong.push(`${JSON.stringify(value)}: no message`);
          } else if (closed && !harmless(parsedField(r.data, field))) {
            wrong.push(`${JSON.stringify(value).slice(0, 80)} accepted`);
          }
        }
        expect(wrong).toEqual([]);
      });
    }
  }
});

describe('the hostile-input corpus at every route parameter schema', () => {
  const params = { IdParam: DatastoreIdParam, RepositoryParam, SnapshotParam } as const;
  for (const [name, schema] of Object.entries(params)) {
    it(`${name}: never throws, and what it accepts carries nothing hostile`, () => {
      const corpus = hostileCorpus(CANARY, name === 'SnapshotParam' ? 'a'.repeat(64) : '7');
      expect(corpus.length).toBeGreaterThanOrEqual(400);
      const accepted = corpus.filter((v) => parseParam(schema as z.ZodType<unknown, string>, v) !== undefined);
      expect(accepted.filter((v) => !HARMLESS.test(v))).toEqual([]);
    });
  }
});
