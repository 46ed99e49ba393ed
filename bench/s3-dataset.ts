// The S3 part of the benchmark's dataset, in the dataset's sandbox (.bench/state): datastore
// BenchS3 (RESTIC_BACKEND = "S3", as OpenNebula 7.4 makes them) whose bucket on the sandbox's S3
// server (moto) holds S3_VM_REPOS repositories, one per VM ID prefix as the driver names them, of
// S3_SNAPSHOTS_PER_REPO snapshots each. One real repository is built once with `restic backup`,
// on disk (.bench/state/s3-template); it is put into the bucket as repository 1 and copied inside
// the S3 server (CopyObject) under the other VM IDs, each with a config of its own (its own
// repository ID, so restic keeps a cache per repository as it does for real ones; the master key
// and password are the template's). The S3 server keeps its buckets in memory only and a bench run
// stops it at its end: every run fills the bucket again (seconds), a worker started later in the
// same run finds it filled and only checks it. The datastore follows the S3 server's endpoint and
// key, which are new at every start of it (as an admin would update the datastore).
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type ListObjectsV2CommandOutput,
} from '@aws-sdk/client-s3';
import { ensureSandboxS3, type SandboxS3Info } from '../sandbox/s3-server/component';
import { encrypt as encryptForOne } from '../sandbox/opennebula/crypto';
import { frontendPaths } from '../sandbox/opennebula/paths';
import { readDb, withDb } from '../sandbox/opennebula/store/db';
import { getValue, setValue } from '../sandbox/opennebula/template/template';
import {
  benchSandbox,
  ensureDatastore,
  PASSWORD,
  S3_SNAPSHOTS_PER_REPO,
  S3_VM_REPOS,
  STATE,
  type BenchSandbox,
} from './dataset';
import { decrypt, encrypt, masterKey } from './restic-files';

export const S3_DS_NAME = 'BenchS3';
export const S3_BUCKET = 'bench-backups';
/** Random bytes of the disk file each snapshot backs up (moto keeps every object in memory). */
const DISK_BYTES = 16 * 1024;
/** S3 requests in flight while the bucket is filled. */
const FILL_CONCURRENCY = 16;
const TEMPLATE = join(STATE, 's3-template');

export type S3Info = {
  sandbox: BenchSandbox;
  datastoreId: number;
  endpoint: string;
  region: string;
  bucket: string;
  /** The S3 server's key (the bench's raw commands use it, as an admin would). */
  accessKeyId: string;
  secretAccessKey: string;
  /** Objects of one repository (the bucket holds S3_VM_REPOS times as many). */
  objectsPerRepo: number;
};

/** restic on the template repository (a folder here); the password on its stdin, never in argv. */
function resticOnTemplate(sb: BenchSandbox, args: string[]): string {
  const env: Record<string, string> = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: STATE };
  return execFileSync(sb.restic, [`--repo=${TEMPLATE}`, '--no-cache', ...args], {
    encoding: 'utf8',
    // Not a terminal: restic reads the password from stdin without a password option.
    input: `${PASSWORD}\n`,
    env: env as NodeJS.ProcessEnv,
    maxBuffer: 16 * 1024 * 1024,
  });
}

function snapshotCount(): number {
  try {
    return readdirSync(join(TEMPLATE, 'snapshots')).length;
  } catch {
    return 0;
  }
}

/** The template repository: S3_SNAPSHOTS_PER_REPO backups of a small disk and a vm.xml, as the driver's are. */
function ensureTemplate(sb: BenchSandbox, log: (s: string) => void): void {
  if (snapshotCount() >= S3_SNAPSHOTS_PER_REPO) return;
  log(`building the S3 template repository (${S3_SNAPSHOTS_PER_REPO} snapshots, once)`);
  if (!existsSync(join(TEMPLATE, 'config'))) {
    rmSync(TEMPLATE, { recursive: true, force: true });
    resticOnTemplate(sb, ['init', '-q']);
  }
  const data = join(STATE, 's3-template-data');
  mkdirSync(data, { recursive: true });
  try {
    for (let i = snapshotCount(); i < S3_SNAPSHOTS_PER_REPO; i++) {
      writeFileSync(join(data, 'disk.0.0'), randomBytes(DISK_BYTES));
      writeFileSync(join(data, 'vm.xml'), `<VM><ID>1</ID><NAME>bench-${i}</NAME></VM>\n`);
      resticOnTemplate(sb, [
        'backup',
        '-q',
        '--tag=one-1',
        '--host=bench',
        join(data, 'disk.0.0'),
        join(data, 'vm.xml'),
      ]);
    }
  } finally {
    rmSync(data, { recursive: true, force: true });
  }
}

/** The template's objects: key below a repository's prefix -> content. */
function templateObjects(): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(relative(TEMPLATE, p), readFileSync(p));
    }
  };
  walk(TEMPLATE);
  if (!out.has('config') || [...out.keys()].some((k) => k.startsWith('locks/')))
    throw new Error(`the S3 template repository ${TEMPLATE} has no config or holds a lock`);
  return out;
}

/**
 * Each repository's config: the template's, with an ID of its own, derived from the repository's
 * name so that every run has the same (and restic's caches of earlier runs stay valid).
 */
function configs(template: Map<string, Buffer>): (name: string) => Buffer {
  const keyName = [...template.keys()].find((k) => k.startsWith('keys/'))!;
  const key = masterKey(template.get(keyName)!.toString('utf8'), PASSWORD);
  const config = JSON.parse(decrypt(template.get('config')!, key).toString('utf8')) as Record<string, unknown>;
  return (name) => {
    const id = createHash('sha256').update(`backstone-bench-s3-${name}`).digest('hex');
    return encrypt(Buffer.from(JSON.stringify({ ...config, id })), key);
  };
}

/** Runs the tasks, `limit` at a time; the first failure is thrown once the running ones end. */
async function pool(tasks: (() => Promise<unknown>)[], limit: number): Promise<void> {
  let next = 0;
  let failed: { error: unknown } | undefined;
  const worker = async () => {
    while (next < tasks.length && !failed) {
      const t = tasks[next++]!;
      try {
        await t();
      } catch (error) {
        failed ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, tasks.length) }, worker));
  if (failed) throw failed.error;
}

/** Per repository prefix of the bucket: whether it has its config, and how many snapshots. */
async function bucketRepositories(
  client: S3Client,
): Promise<Map<string, { config: boolean; snapshots: number; objects: number }>> {
  const found = new Map<string, { config: boolean; snapshots: number; objects: number }>();
  let token: string | undefined;
  do {
    const page: ListObjectsV2CommandOutput = await client.send(
      new ListObjectsV2Command({ Bucket: S3_BUCKET, ContinuationToken: token }),
    );
    for (const o of page.Contents ?? []) {
      const [name, dir, file] = (o.Key ?? '').split('/');
      if (!name) continue;
      const r = found.get(name) ?? { config: false, snapshots: 0, objects: 0 };
      r.objects++;
      if (dir === 'config' && file === undefined) r.config = true;
      if (dir === 'snapshots' && file) r.snapshots++;
      found.set(name, r);
    }
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return found;
}

async function ensureBucket(client: S3Client): Promise<void> {
  try {
    await client.send(new CreateBucketCommand({ Bucket: S3_BUCKET }));
  } catch (err) {
    const name = (err as { name?: string }).name;
    if (name !== 'BucketAlreadyOwnedByYou' && name !== 'BucketAlreadyExists') throw err;
  }
}

/**
 * Puts the repositories `names` into the bucket: repository 1 from the template's files, the
 * others copied from it inside the S3 server. Each one's config goes last: a repository cut short
 * (a stopped bench) has none, so it is no repository to Backstone and is filled again next time.
 */
async function fill(client: S3Client, names: string[], template: Map<string, Buffer>): Promise<void> {
  const keys = [...template.keys()].filter((k) => k !== 'config');
  const configFor = configs(template);
  const put = (name: string, key: string, body: Buffer) =>
    client.send(new PutObjectCommand({ Bucket: S3_BUCKET, Key: `${name}/${key}`, Body: body }));
  if (names.includes('1')) {
    await pool(
      keys.map((k) => () => put('1', k, template.get(k)!)),
      FILL_CONCURRENCY,
    );
    await put('1', 'config', configFor('1'));
  }
  const copies = names.filter((n) => n !== '1');
  await pool(
    copies.flatMap((n) =>
      keys.map(
        (k) => () =>
          client.send(
            new CopyObjectCommand({ Bucket: S3_BUCKET, Key: `${n}/${k}`, CopySource: `${S3_BUCKET}/1/${k}` }),
          ),
      ),
    ),
    FILL_CONCURRENCY,
  );
  await pool(
    copies.map((n) => () => put(n, 'config', configFor(n))),
    FILL_CONCURRENCY,
  );
}

function s3Template(s3: SandboxS3Info): string {
  return [
    `NAME = "${S3_DS_NAME}"`,
    'TYPE = "BACKUP_DS"',
    'DS_MAD = "restic"',
    'TM_MAD = "-"',
    'RESTIC_BACKEND = "S3"',
    `RESTIC_PASSWORD = "${PASSWORD}"`,
    `RESTIC_S3_ENDPOINT = "${s3.endpoint}"`,
    `RESTIC_S3_BUCKET = "${S3_BUCKET}"`,
    `RESTIC_S3_ACCESS_KEY_ID = "${s3.accessKeyId}"`,
    `RESTIC_S3_SECRET_ACCESS_KEY = "${s3.secretAccessKey}"`,
    `RESTIC_S3_REGION = "${s3.region}"`,
    'RESTIC_S3_FORCE_PATH_STYLE = "YES"',
    '',
  ].join('\n');
}

/** The datastore BenchS3, pointed at the S3 server as it runs now (its endpoint and key change at every start). */
function ensureS3Datastore(sb: BenchSandbox, s3: SandboxS3Info): number {
  const { id, created } = ensureDatastore(sb, S3_DS_NAME, () => s3Template(s3));
  if (created) return id;
  const paths = frontendPaths(STATE);
  const ds = readDb(paths).datastores.find((d) => d.id === id)!;
  if (
    getValue(ds.template, 'RESTIC_S3_ENDPOINT') !== s3.endpoint ||
    getValue(ds.template, 'RESTIC_S3_ACCESS_KEY_ID') !== s3.accessKeyId
  ) {
    withDb(paths, (db) => {
      const d = db.datastores.find((x) => x.id === id)!;
      let t = setValue(d.template, 'RESTIC_S3_ENDPOINT', s3.endpoint);
      t = setValue(t, 'RESTIC_S3_ACCESS_KEY_ID', s3.accessKeyId);
      d.template = setValue(t, 'RESTIC_S3_SECRET_ACCESS_KEY', encryptForOne(paths, s3.secretAccessKey));
    });
  }
  return id;
}

export async function s3Dataset(log: (s: string) => void): Promise<S3Info> {
  const sb = await benchSandbox();
  ensureTemplate(sb, log);
  const template = templateObjects();
  const { info: s3, fresh } = await ensureSandboxS3(STATE);
  const client = new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
  try {
    await ensureBucket(client);
    const have = await bucketRepositories(client);
    const names = Array.from({ length: S3_VM_REPOS }, (_, i) => String(i + 1));
    const missing = names.filter((n) => {
      const r = have.get(n);
      return !r?.config || r.snapshots < S3_SNAPSHOTS_PER_REPO || r.objects < template.size;
    });
    if (missing.length) {
      const t0 = performance.now();
      log(
        `filling bucket ${S3_BUCKET} with ${missing.length} repositories of ${template.size} objects${fresh ? ' (the S3 server started empty)' : ''}`,
      );
      await fill(client, missing, template);
      log(`bucket filled in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
    }
  } finally {
    client.destroy();
  }
  return {
    sandbox: sb,
    datastoreId: ensureS3Datastore(sb, s3),
    endpoint: s3.endpoint,
    region: s3.region,
    bucket: S3_BUCKET,
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
    objectsPerRepo: template.size,
  };
}
