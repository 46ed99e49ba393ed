// The sandbox's own S3 server, a component like its sshd: started once per state folder (its PID
// recorded in pids/, stopped by `npm run sandbox -- stop`), described in info.json as `s3Server`.
// moto keeps buckets in memory, so a server started afresh is empty: `fresh` tells callers (the
// demo seed) that whatever they put there before is gone.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readInfo, updateInfo } from '../common/info';
import { runningPid, writePid } from '../common/pids';
import { sandboxPaths } from '../common/state';
import { startS3Server, type S3_REGION, type S3Credentials } from './index';

export const S3_COMPONENT = 's3-server';

export type SandboxS3Info = {
  endpoint: string;
  region: typeof S3_REGION;
  accessKeyId: string;
  /** shown like the demo accounts' passwords; also in credentialsFile (0600) */
  secretAccessKey: string;
  credentialsFile: string;
  caCertPath?: string;
  log: string;
};

export async function ensureSandboxS3(stateDir: string): Promise<{ info: SandboxS3Info; fresh: boolean }> {
  const paths = sandboxPaths(stateDir);
  const known = readInfo(paths).s3Server as SandboxS3Info | undefined;
  if (known && runningPid(paths, S3_COMPONENT) !== undefined) {
    const key = JSON.parse(readFileSync(known.credentialsFile, 'utf8')) as S3Credentials;
    return { info: { ...known, ...key }, fresh: false };
  }
  const dir = join(paths.state, 's3');
  const s3 = await startS3Server({ stateDir: dir });
  writePid(paths, S3_COMPONENT, { pid: s3.pid, marker: s3.marker });
  const info: SandboxS3Info = {
    endpoint: s3.endpoint,
    region: s3.region,
    accessKeyId: s3.accessKeyId,
    secretAccessKey: s3.secretAccessKey,
    credentialsFile: join(dir, 'credentials.json'),
    log: s3.logFile,
  };
  updateInfo(paths, { s3Server: info });
  return { info, fresh: true };
}
