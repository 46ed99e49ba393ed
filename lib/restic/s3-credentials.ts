import 'server-only';
import { LOCAL, withTempFiles } from '@/lib/exec';
import { registerSecret } from '@/lib/log/redact';
import { sharedCredentialsText, type S3Settings } from '@/lib/s3/settings';

// How a restic that Backstone runs itself (S3 datastores) gets the bucket's keys: an AWS
// shared-credentials file, 0600 in a fresh 0700 folder on Backstone's machine, removed when the
// command has ended. Only the file's path and the profile's name travel in the environment (not
// secrets); the keys are never in argv or in any process's environment, which /proc/<pid>/environ
// would show. The repository password is not here: it goes to restic on stdin, as for SFTP.

export const S3_PROFILE = 'backstone';
const FILE = 'aws-credentials';

export type S3Secrets = { env: Record<string, string> };

export function withS3Credentials<T>(s: S3Settings, fn: (x: S3Secrets) => Promise<T>): Promise<T> {
  registerSecret(s.secretAccessKey);
  const files = [{ name: FILE, content: sharedCredentialsText(S3_PROFILE, s) }];
  return withTempFiles(LOCAL, files, (paths) =>
    fn({
      env: {
        AWS_SHARED_CREDENTIALS_FILE: paths[FILE]!,
        AWS_PROFILE: S3_PROFILE,
        // The driver exports both; restic reads AWS_DEFAULT_REGION.
        AWS_DEFAULT_REGION: s.region,
        AWS_REGION: s.region,
      },
    }),
  );
}
