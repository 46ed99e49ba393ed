// The sandbox's S3 server: moto (Debian 13's python3-moto, unpacked by scripts/setup.sh into
// tools/moto) on a free loopback port, over HTTP or HTTPS, with real SigV4 checks. moto accepts
// any credentials until INITIAL_NO_AUTH_ACTION_COUNT actions have run; the first three create an
// IAM user, its policy and its access key, so from then on only that key (or keys made with it)
// is accepted. moto keeps every bucket in memory: a restart starts empty.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { freePort } from '../common/net';
import { run, startDaemon, stopPid, waitFor } from '../common/process';
import { repoRoot } from '../common/state';
import { ensureTls } from './tls';

export const S3_REGION = 'us-east-1';
const PYTHON = '/usr/bin/python3';
const MOTO_PATH = join(repoRoot, 'tools', 'moto', 'usr', 'lib', 'python3', 'dist-packages');
const IAM_USER_SCRIPT = join(repoRoot, 'sandbox', 's3-server', 'iam-user.py');
const READY_WITHIN_MS = 60_000;

export type S3Credentials = { accessKeyId: string; secretAccessKey: string };

export type S3Server = S3Credentials & {
  /** http(s)://127.0.0.1:PORT */
  endpoint: string;
  port: number;
  region: typeof S3_REGION;
  /** The CA that signed the server's certificate (HTTPS only). */
  caCertPath?: string;
  pid: number;
  /** The substring of the server's command line that stopPid checks before killing. */
  marker: string;
  logFile: string;
  stop: () => Promise<void>;
};

export type StartS3Options = { stateDir: string; tls?: boolean };

/** Ready when moto's own API answers (it does not count as an S3 or IAM action). */
function answers(endpoint: string, caCertPath: string | undefined): Promise<boolean> {
  return new Promise((resolve) => {
    const url = new URL('/moto-api/', endpoint);
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(
      url,
      { method: 'GET', timeout: 2_000, ...(caCertPath ? { ca: readFileSync(caCertPath) } : {}) },
      (res) => {
        res.resume();
        resolve((res.statusCode ?? 500) < 500);
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
    req.end();
  });
}

export function motoInstalled(): boolean {
  return existsSync(join(MOTO_PATH, 'moto', 'server.py'));
}

/**
 * Makes an IAM user allowed `actions` (default s3:*) and returns its new access key, signed with
 * `as` (e.g. the server's own key). Secrets travel on stdin only.
 */
export async function createS3User(
  server: { endpoint: string; caCertPath?: string },
  as: S3Credentials,
  user: string,
  actions: readonly string[] = ['s3:*'],
): Promise<S3Credentials> {
  const input = JSON.stringify({
    endpoint: server.endpoint,
    caCertPath: server.caCertPath,
    accessKeyId: as.accessKeyId,
    secretAccessKey: as.secretAccessKey,
    user,
    actions,
  });
  const r = await run(PYTHON, [IAM_USER_SCRIPT], {
    input,
    env: { PATH: process.env.PATH, PYTHONPATH: MOTO_PATH, AWS_EC2_METADATA_DISABLED: 'true', HOME: '/nonexistent' },
    timeoutMs: 60_000,
  });
  if (r.code !== 0) throw new Error(`could not create S3 user ${user}: ${r.stderr.trim().split('\n').pop() ?? ''}`);
  const key = JSON.parse(r.stdout) as S3Credentials;
  if (!key.accessKeyId || !key.secretAccessKey) throw new Error(`no access key for S3 user ${user}`);
  return key;
}

/** The same key ID with a secret that is wrong (for tests of refused signatures). */
export function wrongSecret(creds: S3Credentials): S3Credentials {
  const last = creds.secretAccessKey.slice(-1) === 'A' ? 'B' : 'A';
  return { accessKeyId: creds.accessKeyId, secretAccessKey: `${creds.secretAccessKey.slice(0, -1)}${last}` };
}

/** Starts moto on a free loopback port; the returned stop() ends it by PID. */
export async function startS3Server(opts: StartS3Options): Promise<S3Server> {
  if (!motoInstalled()) throw new Error(`moto is not installed at ${MOTO_PATH}; run scripts/setup.sh`);
  const dir = opts.stateDir;
  // 0755: its tls/ca.crt is read by restic as the sandbox's backup account; credentials.json is 0600.
  mkdirSync(dir, { recursive: true, mode: 0o755 });
  const tls = opts.tls ? await ensureTls(join(dir, 'tls')) : undefined;
  const port = await freePort();
  const endpoint = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  const logFile = join(dir, 'moto.log');
  const marker = `moto.server -H 127.0.0.1 -p ${port}`;
  const args = ['-m', 'moto.server', '-H', '127.0.0.1', '-p', String(port)];
  if (tls) args.push('-c', tls.certPath, '-k', tls.keyPath);
  const pid = startDaemon('s3-server', PYTHON, args, {
    logFile,
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      PYTHONPATH: MOTO_PATH,
      HOME: dir,
      // The three IAM calls that make the sandbox's user are the only unsigned ones accepted.
      INITIAL_NO_AUTH_ACTION_COUNT: '3',
      AWS_EC2_METADATA_DISABLED: 'true',
    },
  });
  const stop = async () => {
    await stopPid(pid, marker);
  };
  try {
    if (!(await waitFor(() => answers(endpoint, tls?.caCertPath), READY_WITHIN_MS, 100))) {
      throw new Error(`the S3 server did not answer on ${endpoint} within ${READY_WITHIN_MS} ms; see ${logFile}`);
    }
    const bootstrap = { accessKeyId: 'bootstrap', secretAccessKey: 'bootstrap' };
    const key = await createS3User({ endpoint, caCertPath: tls?.caCertPath }, bootstrap, 'backstone-sandbox', [
      's3:*',
      'iam:*',
    ]);
    writeFileSync(join(dir, 'credentials.json'), `${JSON.stringify(key)}\n`, { mode: 0o600 });
    return {
      ...key,
      endpoint,
      port,
      region: S3_REGION,
      ...(tls ? { caCertPath: tls.caCertPath } : {}),
      pid,
      marker,
      logFile,
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
