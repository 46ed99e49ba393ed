import 'server-only';
import { LOCAL, withTempFiles } from '@/lib/exec';
import { registerSecret } from '@/lib/log/redact';
import { sharedCredentialsText, type S3Settings } from '@/lib/s3/settings';

// How a restic that Backstone runs itself (S3 datastores) gets its secrets: an AWS
// shared-credentials file and the repository password, each 0600 in a fresh 0700 folder on
// Backstone's machine, removed when the command has ended. Only the files' paths and the profile's
// name travel in the environment and argv (not secrets); the keys are never in argv or in any
// process's environment, which /proc/<pid>/environ would show. The password goes to a file rather
// than stdin because Node hands a local child's stdin over as a socket, which restic cannot open
// as /dev/stdin.

export const S3_PROFILE = 'backstone';
const FILE = 'aws-credentials';
const PASSWORD = 'password';

export type S3Secrets = { env: Record<string, string>; passwordFile: string };

export function withS3Credentials<T>(s: S3Settings, password: string, fn: (x: S3Secrets) => Promise<T>): Promise<T> {
  registerSecret(s.secretAccessKey);
  registerSecret(password);
  const files = [
    { name: FILE, content: sharedCredentialsText(S3_PROFILE, s) },
    { name: PASSWORD, content: `${password}\n` },
  ];
  return withTempFiles(LOCAL, files, (paths) =>
    fn({
      passwordFile: paths[PASSWORD]!,
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
