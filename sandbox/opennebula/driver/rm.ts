// restic/rm: `forget --prune` of every snapshot of a backup image, on the backup server (on the
// front-end for S3), retried
// while the repository is locked.
import type { FrontendPaths } from '../paths';
import { readConfig } from '../config';
import { fail, repoHostScript } from './remote';
import { pruneOpts, repoUrl, restic, resticEnv, type ResticDs } from './restic-command';
import { withLockRetry } from './lock-retry';
import { shq } from '../../common/shell-quote';

export async function removeSnapshots(
  paths: FrontendPaths,
  ds: ResticDs,
  repoId: string,
  snapshots: readonly string[],
): Promise<void> {
  if (!snapshots.length) return;
  const cfg = readConfig(paths);
  const cmd = restic(ds, repoUrl(ds, repoId), `forget ${snapshots.map(shq).join(' ')}`, pruneOpts(ds));
  const r = await withLockRetry(() =>
    repoHostScript(paths, ds, `set -e -o pipefail\n${resticEnv(cfg.restic, ds)}\n${cmd}\n`),
  );
  if (r.code !== 0) throw fail('restic forget --prune', r);
}
