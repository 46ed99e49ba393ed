// The sandbox's S3 server is real: moto with SigV4 checks, over HTTP and HTTPS, used by real
// restic 0.18. restic retries a refused request for ~15 minutes, so the refusals are read from its
// stderr as they appear and the process is ended by PID within a bound.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAlive, run } from '../common/process';
import { resticBinary } from '../common/restic-binaries';
import { createS3User, startS3Server, wrongSecret, type S3Credentials, type S3Server } from './index';

const restic = resticBinary('0.18');
const scratch = mkdtempSync(join(tmpdir(), 'backstone-s3-'));
const passwordFile = join(scratch, 'password');
writeFileSync(passwordFile, 'sandbox-s3-password\n', { mode: 0o600 });
const source = join(scratch, 'source');
mkdirSync(source);
writeFileSync(join(source, 'disk.0.0'), Buffer.alloc(256 * 1024, 7));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function resticEnv(creds: S3Credentials): Record<string, string | undefined> {
  return {
    PATH: process.env.PATH,
    HOME: scratch,
    RESTIC_CACHE_DIR: join(scratch, 'cache'),
    RESTIC_PASSWORD_FILE: passwordFile,
    AWS_ACCESS_KEY_ID: creds.accessKeyId,
    AWS_SECRET_ACCESS_KEY: creds.secretAccessKey,
    AWS_DEFAULT_REGION: 'us-east-1',
  };
}

/** Runs restic until `pattern` shows on its stderr or `boundMs` passes, then ends it by PID. */
function stderrUntil(args: string[], env: Record<string, string | undefined>, pattern: RegExp, boundMs: number) {
  return new Promise<{ matched: boolean; stderr: string; pid: number }>((resolve) => {
    const child = spawn(restic, args, { env: env as NodeJS.ProcessEnv, stdio: ['ignore', 'ignore', 'pipe'] });
    const pid = child.pid ?? -1;
    let stderr = '';
    const end = () => {
      if (child.exitCode === null && child.signalCode === null) process.kill(pid, 'SIGKILL');
    };
    const timer = setTimeout(end, boundMs);
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (pattern.test(stderr)) end();
    });
    child.on('close', () => {
      clearTimeout(timer);
      resolve({ matched: pattern.test(stderr), stderr, pid });
    });
  });
}

describe('sandbox S3 server over HTTP', () => {
  let s3: S3Server;
  beforeAll(async () => {
    s3 = await startS3Server({ stateDir: join(scratch, 'http') });
  });
  afterAll(async () => {
    await s3?.stop();
  });

  it('answers on loopback and keeps its key in a 0600 file', () => {
    expect(s3.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(s3.region).toBe('us-east-1');
    expect(isAlive(s3.pid)).toBe(true);
    const file = join(scratch, 'http', 'credentials.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      accessKeyId: s3.accessKeyId,
      secretAccessKey: s3.secretAccessKey,
    });
  });

  it('serves restic 0.18: init creates the bucket, backup, snapshots', async () => {
    const repo = `s3:${s3.endpoint}/backups/one-0`;
    const env = resticEnv(s3);
    const init = await run(restic, ['-r', repo, 'init'], { env, timeoutMs: 90_000 });
    expect(init.stderr).toBe('');
    expect(init.code).toBe(0);
    const backup = await run(restic, ['-r', repo, 'backup', '--tag', 'one-0', source], { env, timeoutMs: 90_000 });
    expect(backup.code).toBe(0);
    const snaps = await run(restic, ['-r', repo, 'snapshots', '--json', '--no-lock'], { env, timeoutMs: 90_000 });
    expect(snaps.code).toBe(0);
    const list = JSON.parse(snaps.stdout) as { tags?: string[]; paths: string[] }[];
    expect(list).toHaveLength(1);
    expect(list[0]?.tags).toEqual(['one-0']);
    expect(list[0]?.paths).toEqual([source]);
  });

  it('accepts a second user key and refuses a wrong secret', async () => {
    const other = await createS3User(s3, s3, 'second-user');
    const ok = await run(restic, ['-r', `s3:${s3.endpoint}/backups/one-0`, 'cat', 'config'], {
      env: resticEnv(other),
      timeoutMs: 90_000,
    });
    expect(ok.code).toBe(0);
    const r = await stderrUntil(
      ['-r', `s3:${s3.endpoint}/backups/one-0`, 'cat', 'config'],
      resticEnv(wrongSecret(s3)),
      // restic first HEADs the config; a refused HEAD has no body, so minio-go reports the 403 as
      // "Access Denied" (restic 0.18 treats it as permanent); a GET shows moto's own message.
      /signature we calculated does not match|SignatureDoesNotMatch|Access Denied/,
      60_000,
    );
    expect(r.matched, r.stderr).toBe(true);
    expect(isAlive(r.pid)).toBe(false);
  });

  it('checks signatures: an S3 client with a wrong secret gets SignatureDoesNotMatch', async () => {
    const client = (creds: S3Credentials) =>
      new S3Client({ endpoint: s3.endpoint, region: s3.region, forcePathStyle: true, credentials: creds });
    const get = new GetObjectCommand({ Bucket: 'backups', Key: 'one-0/config' });
    const good = await client(s3).send(get);
    expect(good.ContentLength).toBeGreaterThan(0);
    await expect(client(wrongSecret(s3)).send(get)).rejects.toMatchObject({ name: 'SignatureDoesNotMatch' });
  });
});

describe('sandbox S3 server over HTTPS', () => {
  let s3: S3Server;
  beforeAll(async () => {
    s3 = await startS3Server({ stateDir: join(scratch, 'https'), tls: true });
  });
  afterAll(async () => {
    await s3?.stop();
  });

  it('works with --cacert and is refused without it', async () => {
    expect(s3.endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(s3.caCertPath).toBeDefined();
    const repo = `s3:${s3.endpoint}/tls-bucket/one-1`;
    const env = resticEnv(s3);
    const init = await run(restic, ['-r', repo, '--cacert', s3.caCertPath ?? '', 'init'], { env, timeoutMs: 90_000 });
    expect(init.code, init.stderr).toBe(0);
    const r = await stderrUntil(['-r', repo, 'cat', 'config'], env, /certificate signed by unknown authority/, 60_000);
    expect(r.matched, r.stderr).toBe(true);
  });

  it('stops by PID', async () => {
    const pid = s3.pid;
    await s3.stop();
    expect(isAlive(pid)).toBe(false);
  });
});
