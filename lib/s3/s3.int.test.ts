// lib/s3 and lib/restic's S3 path against the sandbox's real S3 server (moto with SigV4 checks)
// and real restic 0.18 run where Backstone runs: repositories, snapshots, sizes and locks read
// from the bucket; restic snapshots, dump and locks through a 0600 credentials file; and each
// failure a person can meet (wrong keys, missing bucket, untrusted TLS, nothing listening) as its
// typed error, within the test's bound rather than restic's 15 minutes of retries.
import { closeSync, constants, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@/sandbox/common/net';
import { isAlive, run, startDaemon, waitFor } from '@/sandbox/common/process';
import { resticBinary } from '@/sandbox/common/restic-binaries';
import { startS3Server, wrongSecret, type S3Server } from '@/sandbox/s3-server';
import { DEFAULT_REPO_OPTIONS, dump, locks, s3Repo, snapshots, type S3ResticRepo } from '@/lib/restic';
import { accessFrom, sftpOnly } from '@/lib/catalog/access';
import { sharedInventory } from '@/lib/catalog/inventory-reads';
import { serverStatus } from '@/lib/catalog/server-status';
import type { S3Inventory } from '@/lib/backup-server';
import type { DecryptedDatastore } from '@/lib/opennebula';
import {
  bucketUsage,
  headBucket,
  listRepositories,
  probeWrite,
  repositoryObjects,
  S3BucketMissing,
  S3CredentialsRefused,
  S3TlsUntrusted,
  S3Unreachable,
  type S3Settings,
} from './index';

const restic = resticBinary('0.18');
process.env.BACKSTONE_LOCAL_RESTIC = restic;
const PASSWORD = 'sandbox-s3-password';
const BUCKET = 'backstone-it';
const scratch = mkdtempSync(join(tmpdir(), 'backstone-s3lib-'));
const source = join(scratch, 'source');
mkdirSync(source);
writeFileSync(join(source, 'vm.xml'), '<VM><ID>42</ID></VM>\n');
writeFileSync(join(source, 'disk.0.0'), Buffer.alloc(64 * 1024, 7));
const passwordFile = join(scratch, 'password');
writeFileSync(passwordFile, `${PASSWORD}\n`, { mode: 0o600 });

let s3: S3Server;
let settings: S3Settings;

function seedEnv(): Record<string, string | undefined> {
  return {
    PATH: process.env.PATH,
    HOME: scratch,
    RESTIC_CACHE_DIR: join(scratch, 'cache'),
    RESTIC_PASSWORD_FILE: passwordFile,
    AWS_ACCESS_KEY_ID: s3.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
    AWS_DEFAULT_REGION: s3.region,
  };
}

/** The driver's way: restic run with the datastore's keys, writing a repository into the bucket. */
async function seedRepository(name: string, vmId: number): Promise<void> {
  const repo = `s3:${s3.endpoint}/${BUCKET}/${name}`;
  for (const args of [
    ['-r', repo, 'init'],
    ['-r', repo, 'backup', '--host', 'frontend', `--tag=one-${vmId}`, source],
  ]) {
    const r = await run(restic, args, { env: seedEnv(), timeoutMs: 120_000 });
    if (r.code !== 0) throw new Error(`restic ${args[2]} failed: ${r.stderr}`);
  }
}

/** A real stale exclusive lock: restic key passwd holds it waiting on a FIFO, then is killed -9. */
async function leaveStaleLock(name: string): Promise<void> {
  const fifo = join(scratch, `fifo-${name}`);
  await run('mkfifo', ['-m', '600', fifo]);
  const pid = startDaemon(
    'stale lock',
    'bash',
    ['-c', 'exec "$0" --repo "$1" key passwd < "$2"', restic, `s3:${s3.endpoint}/${BUCKET}/${name}`, fifo],
    { logFile: join(scratch, 'stale-lock.log'), env: seedEnv() },
  );
  const fd = openSync(fifo, constants.O_RDWR);
  try {
    const locked = await waitFor(async () => (await repositoryObjects(settings, name)).locks.length > 0, 60_000, 100);
    if (!locked) throw new Error('restic key passwd never took its lock');
  } finally {
    process.kill(pid, 'SIGKILL');
    await waitFor(() => !isAlive(pid), 5_000);
    closeSync(fd);
  }
}

beforeAll(async () => {
  s3 = await startS3Server({ stateDir: join(scratch, 's3') });
  settings = {
    endpoint: s3.endpoint,
    bucket: BUCKET,
    region: s3.region,
    pathStyle: true,
    insecureTls: false,
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
  };
  await seedRepository('42', 42);
  await seedRepository('job_7', 43);
  await leaveStaleLock('job_7');
}, 240_000);

afterAll(async () => {
  await s3?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

const repoOf = (name: string, s: S3Settings = settings): S3ResticRepo =>
  s3Repo(s, name, PASSWORD, DEFAULT_REPO_OPTIONS);

describe('the bucket, listed with an S3 client', () => {
  it('lists the repositories (VM IDs and job_N holding config), not other prefixes', async () => {
    await probeWrite(settings);
    await expect(listRepositories(settings)).resolves.toEqual(['42', 'job_7']);
  });

  it("reads a repository's snapshot IDs, locks and stored bytes from its keys", async () => {
    const objects = await repositoryObjects(settings, 'job_7');
    const fromRestic = await snapshots(repoOf('job_7'));
    expect(objects.hasConfig).toBe(true);
    expect(objects.snapshotIds).toEqual(fromRestic.map((s) => s.id).sort());
    expect(objects.locks).toHaveLength(1);
    expect(objects.locks[0]!.id).toMatch(/^[0-9a-f]{64}$/);
    expect(Date.parse(objects.locks[0]!.lastModified!)).toBeGreaterThan(0);
    expect(objects.storedBytes).toBeGreaterThan(1_000);
    const usage = await bucketUsage(settings);
    const other = await repositoryObjects(settings, '42');
    expect(usage.bytes).toBe(objects.storedBytes + other.storedBytes);
  });
});

describe('restic for S3, run where Backstone runs', () => {
  it('lists snapshots, dumps a file and reads the stale lock', async () => {
    const repo = repoOf('42');
    const [snap] = await snapshots(repo);
    expect(snap?.tags).toEqual(['one-42']);
    const d = await dump(repo, snap!.id, join(source, 'vm.xml'), { capacity: 'interactive' });
    const chunks: Buffer[] = [];
    for await (const c of d.stdout) chunks.push(c as Buffer);
    await d.done;
    expect(Buffer.concat(chunks).toString()).toBe('<VM><ID>42</ID></VM>\n');
    const held = await locks(repoOf('job_7'));
    expect(held).toHaveLength(1);
    expect(held[0]).toMatchObject({ exclusive: true, hostname: expect.any(String) });
  });
});

describe('the catalog reads an S3 datastore from its bucket', () => {
  const datastore = (): DecryptedDatastore =>
    ({
      id: 300,
      name: 'RBackups-S3',
      uid: 0,
      uname: 'oneadmin',
      gid: 0,
      gname: 'oneadmin',
      type: 'BACKUP_DS',
      dsMad: 'restic',
      tmMad: '-',
      basePath: '/var/lib/one//datastores/300',
      state: 'READY',
      clusterIds: [0],
      totalMb: 512_000,
      freeMb: 512_000,
      usedMb: 0,
      imageIds: [],
      template: {
        RESTIC_BACKEND: 'S3',
        RESTIC_S3_ENDPOINT: s3.endpoint,
        RESTIC_S3_BUCKET: BUCKET,
        RESTIC_S3_ACCESS_KEY_ID: s3.accessKeyId,
        RESTIC_S3_FORCE_PATH_STYLE: 'YES',
        TOTAL_MB: '512000',
      },
      templateVectors: {},
      secretAttributeNames: ['RESTIC_PASSWORD', 'RESTIC_S3_SECRET_ACCESS_KEY'],
      secrets: { RESTIC_PASSWORD: PASSWORD, RESTIC_S3_SECRET_ACCESS_KEY: s3.secretAccessKey },
      resticPassword: PASSWORD,
    }) as unknown as DecryptedDatastore;

  it('lists its repositories, snapshots and locks in the inventory shape, with the bucket usage', async () => {
    const access = accessFrom(datastore());
    expect(access.backend).toBe('s3');
    const { value } = await sharedInventory(access, undefined, undefined);
    const inv = value as S3Inventory;
    expect(inv.repositories.map((r) => [r.name, r.kind, r.path])).toEqual([
      ['42', 'vm', `s3:${s3.endpoint}/${BUCKET}/42`],
      ['job_7', 'job', `s3:${s3.endpoint}/${BUCKET}/job_7`],
    ]);
    const job = inv.repositories[1]!;
    expect(job.locks).toHaveLength(1);
    expect(job.locks[0]!.modified).toBeGreaterThan(Date.parse('2020-01-01'));
    expect(job.snapshotIds).toEqual((await snapshots(access.repo('job_7'))).map((s) => s.id).sort());
    expect(inv.bucket.bytes).toBe(inv.repositories.reduce((s, r) => s + r.storedBytes, 0));
    const status = await serverStatus(access);
    expect(status).toMatchObject({ reachable: true, host: `s3:${s3.endpoint}/${BUCKET}`, resticVersion: '0.18.0' });
  });

  it('refuses what is not built for S3 yet, clearly and without running anything', () => {
    const access = accessFrom(datastore());
    expect(() => sftpOnly(access, 'Downloading a disk')).toThrow(
      'Downloading a disk is not yet available for S3 datastores.',
    );
  });

  it('says which S3 attribute a datastore lacks', () => {
    const ds = datastore();
    delete (ds.template as Record<string, string>).RESTIC_S3_BUCKET;
    expect(() => accessFrom(ds)).toThrow(/lacks RESTIC_S3_BUCKET/);
  });
});

describe('each failure is its typed error with its fix', () => {
  it('wrong credentials', async () => {
    const wrong = { ...settings, ...wrongSecret(s3) };
    await expect(headBucket(wrong)).rejects.toBeInstanceOf(S3CredentialsRefused);
    await expect(headBucket({ ...settings, accessKeyId: 'AKIANOSUCHKEY0000000' })).rejects.toThrow(
      /RESTIC_S3_ACCESS_KEY_ID/,
    );
    await expect(snapshots(repoOf('42', wrong))).rejects.toThrow(/RESTIC_S3_SECRET_ACCESS_KEY/);
  }, 60_000);

  it('a missing bucket', async () => {
    const missing = { ...settings, bucket: 'no-such-bucket' };
    await expect(headBucket(missing)).rejects.toBeInstanceOf(S3BucketMissing);
    await expect(snapshots(repoOf('42', missing))).rejects.toBeInstanceOf(S3BucketMissing);
  }, 60_000);

  it('an endpoint where nothing listens', async () => {
    const closed = { ...settings, endpoint: `http://127.0.0.1:${await freePort()}` };
    await expect(headBucket(closed)).rejects.toBeInstanceOf(S3Unreachable);
    await expect(snapshots(repoOf('42', closed))).rejects.toBeInstanceOf(S3Unreachable);
  }, 60_000);

  describe('over HTTPS', () => {
    let tls: S3Server;
    beforeAll(async () => {
      tls = await startS3Server({ stateDir: join(scratch, 's3-tls'), tls: true });
    }, 120_000);
    afterAll(async () => {
      await tls?.stop();
    });
    const over = (extra: Partial<S3Settings>): S3Settings => ({
      ...settings,
      endpoint: tls.endpoint,
      accessKeyId: tls.accessKeyId,
      secretAccessKey: tls.secretAccessKey,
      bucket: 'tls-bucket',
      ...extra,
    });

    it('an untrusted certificate, and the CA file that fixes it', async () => {
      await expect(headBucket(over({}))).rejects.toBeInstanceOf(S3TlsUntrusted);
      await expect(snapshots(repoOf('1', over({})))).rejects.toThrow(/RESTIC_S3_CACERT/);
      // With the CA the bucket is reached: it is missing, and says so.
      await expect(headBucket(over({ caCert: tls.caCertPath }))).rejects.toBeInstanceOf(S3BucketMissing);
      await expect(headBucket(over({ insecureTls: true }))).rejects.toBeInstanceOf(S3BucketMissing);
    }, 60_000);
  });
});
