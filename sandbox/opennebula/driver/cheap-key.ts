// The sandbox's one departure from the driver's repositories: right after the driver's `restic
// init`, the new repository's key is rewritten at a cheap scrypt cost (see common/restic-key.ts),
// so every later restic process, the driver's and Backstone's, opens it in milliseconds instead of
// a quarter of a second of CPU or more. The key goes where the repository's other files go: over
// SSH through the backup server's account (SFTP), or into the bucket with the datastore's S3 key.
import { cheapenKey, cheapenRepoKey } from '../../common/restic-key';
import type { FrontendPaths } from '../paths';
import { readConfig } from '../config';
import { withBucketKeys } from './bucket-keys';
import { sshScript } from './remote';
import { repoPath, type ResticDs } from './restic-command';

export function cheapenNewRepoKey(paths: FrontendPaths, ds: ResticDs, repoId: string): Promise<void> {
  if (ds.s3) return withBucketKeys(ds.s3, repoId, (keys) => cheapenKey(keys, ds.password));
  const host = readConfig(paths).backupServer;
  return cheapenRepoKey((script) => sshScript(paths, host, script), repoPath(ds, repoId), ds.password);
}
