// The wizard's S3 check against the sandbox's real S3 server (moto with SigV4 checks) and real
// restic 0.18 run where Backstone runs: every check passes on a good bucket (and the throwaway
// repository and probe objects are gone afterwards); a wrong secret key, a missing bucket and an
// endpoint where nothing listens each fail their own check, with the fix; repositories already in
// the bucket under VM IDs are a warning that offers a bucket of its own.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '@/sandbox/common/net';
import { run } from '@/sandbox/common/process';
import { resticBinary } from '@/sandbox/common/restic-binaries';
import { startS3Server, wrongSecret, type S3Server } from '@/sandbox/s3-server';
import { forgetS3Clients } from '@/lib/s3';
import type { PreflightReport } from '@/lib/schemas/datastore-preflight';
import { runS3Preflight, type S3PreflightInput } from './s3-preflight';

const restic = resticBinary('0.18');
process.env.BACKSTONE_LOCAL_RESTIC = restic;
const scratch = mkdtempSync(join(tmpdir(), 'backstone-s3wizard-'));
const GOOD = 'wizard-good';
const USED = 'wizard-used';

let s3: S3Server;
let client: S3Client;

const input = (extra: Partial<S3PreflightInput> = {}): S3PreflightInput => ({
  RESTIC_S3_ENDPOINT: s3.endpoint,
  RESTIC_S3_BUCKET: GOOD,
  RESTIC_S3_ACCESS_KEY_ID: s3.accessKeyId,
  RESTIC_S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
  RESTIC_S3_FORCE_PATH_STYLE: 'YES',
  ...extra,
});

const statuses = (r: PreflightReport) => Object.fromEntries(r.checks.map((c) => [c.id, c.status]));
const check = (r: PreflightReport, id: string) => r.checks.find((c) => c.id === id)!;

beforeAll(async () => {
  s3 = await startS3Server({ stateDir: join(scratch, 's3') });
  client = new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
  for (const Bucket of [GOOD, USED]) await client.send(new CreateBucketCommand({ Bucket }));
  // A repository where the driver puts VM 42's backups.
  const r = await run(restic, ['-r', `s3:${s3.endpoint}/${USED}/42`, 'init'], {
    env: {
      PATH: process.env.PATH,
      HOME: scratch,
      RESTIC_CACHE_DIR: join(scratch, 'cache'),
      RESTIC_PASSWORD: 'seed-password',
      AWS_ACCESS_KEY_ID: s3.accessKeyId,
      AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
    },
    timeoutMs: 120_000,
  });
  if (r.code !== 0) throw new Error(`restic init failed: ${r.stderr}`);
}, 180_000);

afterAll(async () => {
  client?.destroy();
  forgetS3Clients();
  await s3?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

describe('the S3 check of the datastore wizard', () => {
  it('passes every check on a good bucket and leaves nothing behind', async () => {
    const r = await runS3Preflight(input());
    expect(statuses(r)).toEqual({
      endpoint: 'pass',
      tls: 'pass',
      credentials: 'pass',
      bucket: 'pass',
      'shared-bucket': 'pass',
      restic: 'pass',
    });
    expect(r.target).toBe(`s3:${s3.endpoint}/${GOOD}`);
    expect(check(r, 'restic').detail).toMatch(/made and opened a repository/);
    const left = await client.send(new ListObjectsV2Command({ Bucket: GOOD }));
    expect(left.Contents ?? []).toEqual([]);
    expect(JSON.stringify(r)).not.toContain(s3.secretAccessKey);
  }, 120_000);

  it('warns when repositories already sit in the bucket under VM IDs, and offers a bucket of its own', async () => {
    const r = await runS3Preflight(input({ RESTIC_S3_BUCKET: USED }));
    const shared = check(r, 'shared-bucket');
    expect(shared.status).toBe('warn');
    expect(shared.detail).toMatch(/\(42\)/);
    expect(shared.fix).toMatch(/bucket per datastore/);
    expect(check(r, 'restic').status).toBe('pass');
  }, 120_000);

  it('a wrong secret key fails the access keys check with its fix', async () => {
    const r = await runS3Preflight(input({ RESTIC_S3_SECRET_ACCESS_KEY: wrongSecret(s3).secretAccessKey }));
    expect(statuses(r)).toMatchObject({ endpoint: 'pass', tls: 'pass', credentials: 'fail', bucket: 'warn' });
    expect(check(r, 'credentials').fix).toMatch(/RESTIC_S3_SECRET_ACCESS_KEY/);
    expect(check(r, 'restic').detail).toMatch(/Not checked/);
  }, 60_000);

  it('a missing bucket fails the bucket check with its fix', async () => {
    const r = await runS3Preflight(input({ RESTIC_S3_BUCKET: 'no-such-bucket' }));
    expect(statuses(r)).toMatchObject({ endpoint: 'pass', credentials: 'pass', bucket: 'fail' });
    expect(check(r, 'bucket').fix).toMatch(/Create it, or correct RESTIC_S3_BUCKET/);
  }, 60_000);

  it('an endpoint where nothing listens fails the endpoint check with its fix', async () => {
    const r = await runS3Preflight(input({ RESTIC_S3_ENDPOINT: `http://127.0.0.1:${await freePort()}` }));
    expect(statuses(r)).toMatchObject({ endpoint: 'fail', credentials: 'warn', bucket: 'warn', restic: 'warn' });
    expect(check(r, 'endpoint').detail).toMatch(/connection refused/);
    expect(check(r, 'endpoint').fix).toMatch(/RESTIC_S3_ENDPOINT/);
  }, 60_000);

  describe('over HTTPS', () => {
    let tls: S3Server;
    beforeAll(async () => {
      tls = await startS3Server({ stateDir: join(scratch, 's3-tls'), tls: true });
    }, 120_000);
    afterAll(async () => {
      await tls?.stop();
    });
    const over = (extra: Partial<S3PreflightInput>) =>
      input({
        RESTIC_S3_ENDPOINT: tls.endpoint,
        RESTIC_S3_ACCESS_KEY_ID: tls.accessKeyId,
        RESTIC_S3_SECRET_ACCESS_KEY: tls.secretAccessKey,
        RESTIC_S3_BUCKET: 'tls-bucket',
        ...extra,
      });

    it('an untrusted certificate fails the TLS check with the CA fix; the CA file, or insecure TLS, gets past it', async () => {
      const untrusted = await runS3Preflight(over({}));
      expect(statuses(untrusted)).toMatchObject({ endpoint: 'pass', tls: 'fail', credentials: 'warn' });
      expect(check(untrusted, 'tls').fix).toMatch(/RESTIC_S3_CACERT/);
      const withCa = await runS3Preflight(over({ RESTIC_S3_CACERT: tls.caCertPath }));
      expect(statuses(withCa)).toMatchObject({ tls: 'pass', credentials: 'pass', bucket: 'fail' });
      const insecure = await runS3Preflight(over({ RESTIC_S3_INSECURE_TLS: 'YES' }));
      expect(check(insecure, 'tls')).toMatchObject({ status: 'warn', fix: expect.stringMatching(/RESTIC_S3_CACERT/) });
    }, 60_000);
  });

  it('a host name that does not resolve, and a CA file that cannot be read, fail with their fixes', async () => {
    const dns = await runS3Preflight(input({ RESTIC_S3_ENDPOINT: 'http://no-such-host.invalid:9000' }));
    expect(check(dns, 'endpoint')).toMatchObject({ status: 'fail', detail: expect.stringMatching(/does not resolve/) });
    const ca = await runS3Preflight(input({ RESTIC_S3_CACERT: join(scratch, 'missing-ca.pem') }));
    expect(check(ca, 'tls')).toMatchObject({ status: 'fail', fix: expect.stringMatching(/RESTIC_S3_CACERT/) });
  }, 60_000);
});
