// The sandbox's one departure from the driver's repositories: right after the driver's `restic
// init`, the new repository's key is rewritten at a cheap scrypt cost (see common/restic-key.ts),
// so every later restic process, the driver's and Backstone's, opens it in milliseconds instead of
// a quarter of a second of CPU. The key goes through the backup server's account over SSH, as the
// repository's other files do.
import { cheapenRepoKey } from '../../common/restic-key';
import type { FrontendPaths } from '../paths';
import { readConfig } from '../config';
import { sshScript } from './remote';
import { repoPath, type ResticDs } from './restic-command';

export function cheapenNewRepoKey(paths: FrontendPaths, ds: ResticDs, repoId: string): Promise<void> {
  const host = readConfig(paths).backupServer;
  return cheapenRepoKey((script) => sshScript(paths, host, script), repoPath(ds, repoId), ds.password);
}
