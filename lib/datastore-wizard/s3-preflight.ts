import 'server-only';
import { randomBytes, randomUUID } from 'node:crypto';
import { access, constants } from 'node:fs/promises';
import { Canceled } from '@/lib/exec';
import { isExpectedError } from '@/lib/errors';
import { registerSecret } from '@/lib/log';
import { catConfig, DEFAULT_REPO_OPTIONS, init, s3Repo } from '@/lib/restic';
import {
  BACKSTONE_PREFIX,
  endpointResolves,
  headBucket,
  listRepositories,
  probeWrite,
  removeBackstoneObjects,
  resticRepositoryUrl,
  s3SettingsFromTemplate,
  S3Error,
  type S3Settings,
} from '@/lib/s3';
import type { PreflightReport, ReportCheck } from '@/lib/schemas/datastore-preflight';

// The wizard's "Check the bucket" step for an S3 datastore, each check with its exact fix: the
// endpoint resolves and answers, its TLS certificate verifies (or the CA file is readable), the
// keys authenticate, the bucket exists and takes a probe object under Backstone's own prefix,
// whether repositories already sit in it under VM IDs (two S3 datastores sharing a bucket collide:
// the driver's S3 path has no datastore ID), and restic can init and open a repository there (a
// throwaway one under Backstone's prefix, removed afterwards). Runs where Backstone runs, as the
// driver runs restic for S3 on the front-end.

/** The RESTIC_S3_* values the check needs, as the wizard's schema leaves them. */
export type S3PreflightInput = {
  RESTIC_S3_ENDPOINT?: string;
  RESTIC_S3_BUCKET: string;
  RESTIC_S3_ACCESS_KEY_ID: string;
  RESTIC_S3_SECRET_ACCESS_KEY: string;
  RESTIC_S3_REGION?: string;
  RESTIC_S3_FORCE_PATH_STYLE?: string;
  RESTIC_S3_CACERT?: string;
  RESTIC_S3_INSECURE_TLS?: string;
};

export type S3PreflightOptions = { timeoutMs?: number; signal?: AbortSignal };

const LABELS = {
  endpoint: 'Endpoint',
  tls: 'TLS certificate',
  credentials: 'Access keys',
  bucket: 'Bucket',
  'shared-bucket': 'Bucket of its own',
  restic: 'restic repository',
} as const;
type CheckId = keyof typeof LABELS;
const ORDER = Object.keys(LABELS) as CheckId[];

/** "What happened. The fix." split in two; the whole as the detail when it has no second sentence. */
function split(message: string): { detail: string; fix?: string } {
  const i = message.search(/\.\s+(?=[A-Z])/);
  return i < 0 ? { detail: message } : { detail: message.slice(0, i + 1), fix: message.slice(i + 1).trim() };
}

/** Which check an S3 failure belongs to. */
function checkOf(err: S3Error): CheckId {
  switch (err.code) {
    case 'UNREACHABLE':
    case 'TIMED_OUT':
      return 'endpoint';
    case 'TLS':
      return 'tls';
    case 'CREDENTIALS':
      return 'credentials';
    default:
      return 'bucket';
  }
}

export function s3SettingsOf(v: S3PreflightInput): S3Settings {
  return s3SettingsFromTemplate({ ...v });
}

export async function runS3Preflight(v: S3PreflightInput, o: S3PreflightOptions = {}): Promise<PreflightReport> {
  const s = s3SettingsOf(v);
  registerSecret(s.secretAccessKey);
  const checks = new Map<CheckId, ReportCheck>();
  const add = (id: CheckId, status: ReportCheck['status'], detail: string, fix?: string) =>
    checks.set(id, { id, label: LABELS[id], status, detail, ...(fix ? { fix } : {}) });
  const fail = (err: S3Error | { code?: undefined; message: string }, id?: CheckId) => {
    const where = id ?? (err instanceof S3Error ? checkOf(err) : 'bucket');
    const { detail, fix } = split(err instanceof S3Error ? err.userMessage : err.message);
    add(where, 'fail', detail, fix);
    return where;
  };
  const call = { timeoutMs: o.timeoutMs ?? 10_000, signal: o.signal };
  const https = /^https:\/\//i.test(s.endpoint) || !/^https?:\/\//i.test(s.endpoint);

  const run = async (): Promise<void> => {
    // The CA file first: without it the client cannot even be made.
    if (s.caCert) {
      try {
        await access(s.caCert, constants.R_OK);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? 'unreadable';
        add(
          'tls',
          'fail',
          `The CA certificate file ${s.caCert} cannot be read on Backstone's machine (${code}).`,
          `Copy the CA certificate to ${s.caCert} on Backstone's machine (readable by its user), on the front-end and on every hypervisor, or correct RESTIC_S3_CACERT.`,
        );
        return;
      }
    }
    const unresolved = await endpointResolves(s);
    if (unresolved) {
      add(
        'endpoint',
        'fail',
        `The S3 endpoint ${s.endpoint} cannot be reached: ${unresolved}.`,
        'Correct the host in RESTIC_S3_ENDPOINT, or add it to DNS (or /etc/hosts) on Backstone’s machine, the front-end and every hypervisor.',
      );
      return;
    }
    try {
      await headBucket(s, call);
    } catch (err) {
      if (!(err instanceof S3Error)) throw err;
      const at = fail(err);
      // What answered before the failure passed.
      if (ORDER.indexOf(at) > ORDER.indexOf('endpoint')) add('endpoint', 'pass', `${s.endpoint} answers.`);
      if (ORDER.indexOf(at) > ORDER.indexOf('tls')) tlsPassed();
      if (ORDER.indexOf(at) > ORDER.indexOf('credentials'))
        add('credentials', 'pass', `The endpoint accepts the signature of access key ${s.accessKeyId}.`);
      return;
    }
    add('endpoint', 'pass', `${s.endpoint} answers.`);
    tlsPassed();
    add('credentials', 'pass', `The endpoint accepts the signature of access key ${s.accessKeyId}.`);
    try {
      await probeWrite(s, call);
    } catch (err) {
      if (!(err instanceof S3Error)) throw err;
      fail(err, 'bucket');
      return;
    }
    add(
      'bucket',
      'pass',
      `Bucket ${s.bucket} exists; a probe object under ${BACKSTONE_PREFIX} was written and deleted.`,
    );
    try {
      const repos = await listRepositories(s, call);
      if (repos.length === 0) add('shared-bucket', 'pass', `Bucket ${s.bucket} holds no restic repository yet.`);
      else
        add(
          'shared-bucket',
          'warn',
          `Bucket ${s.bucket} already holds ${repos.length} restic ${repos.length === 1 ? 'repository' : 'repositories'} named as OpenNebula names them (${repos.slice(0, 8).join(', ')}${repos.length > 8 ? ', …' : ''}). The repository path has no datastore ID: two S3 datastores sharing this bucket would write the same VM's backups into the same repository.`,
          `Use a bucket per datastore (create a new one, e.g. ${s.bucket.slice(0, 50)}-2, and enter it here), unless these repositories are this very datastore's, made before it was re-created.`,
        );
    } catch (err) {
      if (!(err instanceof S3Error)) throw err;
      fail(err, 'shared-bucket');
    }
    await resticCheck(s, add, o.signal);
  };

  function tlsPassed() {
    if (!https) {
      add(
        'tls',
        'pass',
        `${s.endpoint} is plain HTTP: there is no certificate to verify.`,
        'Prefer https:// unless the network between the hosts and the endpoint is trusted: backups and signed requests travel unencrypted.',
      );
    } else if (s.insecureTls)
      add(
        'tls',
        'warn',
        'The certificate is not verified (RESTIC_S3_INSECURE_TLS is YES).',
        'Set RESTIC_S3_CACERT to the CA certificate that signed the endpoint’s certificate and turn insecure TLS off.',
      );
    else
      add(
        'tls',
        'pass',
        s.caCert
          ? `The certificate verifies against ${s.caCert}.`
          : 'The certificate verifies against the system’s CAs.',
      );
  }

  try {
    await run();
  } catch (err) {
    if (err instanceof Canceled) throw err;
    const message = isExpectedError(err)
      ? err.userMessage
      : 'The check failed unexpectedly; the server log has the details.';
    const first = ORDER.find((id) => !checks.has(id)) ?? 'bucket';
    add(first, 'fail', message);
  }
  for (const id of ORDER) if (!checks.has(id)) add(id, 'warn', 'Not checked: the checks above must pass first.');
  return {
    server: s.endpoint,
    user: s.accessKeyId,
    target: `s3:${s.endpoint}/${s.bucket}`,
    checks: ORDER.map((id) => checks.get(id)!),
    hosts: [],
  };
}

/** restic inits a throwaway repository under Backstone's prefix, opens it, and it is removed. */
async function resticCheck(
  s: S3Settings,
  add: (id: CheckId, status: ReportCheck['status'], detail: string, fix?: string) => void,
  signal?: AbortSignal,
): Promise<void> {
  const name = `${BACKSTONE_PREFIX}restic-check-${randomUUID()}`;
  const password = randomBytes(24).toString('base64url');
  registerSecret(password);
  const repo = s3Repo(s, name, password, DEFAULT_REPO_OPTIONS);
  try {
    await init(repo, signal);
    const config = await catConfig(repo, signal);
    add(
      'restic',
      'pass',
      `restic made and opened a repository (format version ${config.version}) at ${resticRepositoryUrl(s, name)}; it was removed again.`,
    );
  } catch (err) {
    if (err instanceof Canceled || !isExpectedError(err)) throw err;
    const { detail, fix } = split(err.userMessage);
    add(
      'restic',
      'fail',
      `restic could not make a repository in the bucket: ${detail}`,
      fix ??
        'Check that restic (BACKSTONE_LOCAL_RESTIC) runs on Backstone’s machine and the access key may write the bucket.',
    );
  } finally {
    await removeBackstoneObjects(s, `${name}/`).catch(() => undefined);
  }
}
