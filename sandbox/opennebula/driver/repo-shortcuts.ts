// The sandbox's departures from the driver's repositories, both about restic's key derivation
// (see common/restic-key.ts and common/restic-new-repo.ts). restic calibrates scrypt at every
// `restic init`, and pays the calibrated cost (a quarter of a second of CPU or more) in every
// process that opens the repository:
//   - a repository `restic stats` says does not exist is written without restic, with its key at a
//     cheap scrypt cost from the start;
//   - when restic's own init made one (it could not be written so), its key is rewritten at that cost.
// The files go where the repository's other files go: over SSH through the backup server's account
// (SFTP), or into the bucket with the datastore's S3 key.
import { hostname, userInfo } from 'node:os';
import { cheapenKey, cheapenRepoKey } from '../../common/restic-key';
import { newRepoFiles, writeRepoFolder } from '../../common/restic-new-repo';
import type { FrontendPaths } from '../paths';
import { readConfig } from '../config';
import { withBucketRepo } from './bucket-repo';
import { sshScript } from './remote';
import { repoPath, type ResticDs } from './restic-command';

/**
 * Writes the new repository `repoId` as restic's init would from the front-end (its key names the
 * front-end's oneadmin); false when it is left to restic (an S3 bucket neither there nor made
 * with the datastore's key).
 */
export async function writeNewRepo(paths: FrontendPaths, ds: ResticDs, repoId: string): Promise<boolean> {
  const cfg = readConfig(paths);
  const files = newRepoFiles(ds.password, {
    username: cfg.switchUser ? cfg.account.name : userInfo().username,
    hostname: hostname(),
  });
  if (ds.s3) return withBucketRepo(ds.s3, repoId, (repo) => repo.create(files));
  await writeRepoFolder((script) => sshScript(paths, cfg.backupServer, script), repoPath(ds, repoId), files);
  return true;
}

export function cheapenNewRepoKey(paths: FrontendPaths, ds: ResticDs, repoId: string): Promise<void> {
  if (ds.s3) return withBucketRepo(ds.s3, repoId, (repo) => cheapenKey(repo.keys, ds.password));
  const host = readConfig(paths).backupServer;
  return cheapenRepoKey((script) => sshScript(paths, host, script), repoPath(ds, repoId), ds.password);
}
