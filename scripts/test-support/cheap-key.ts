// Tests that `restic init` a repository on the backup server themselves rewrite its key as the
// sandbox's driver does (sandbox/common/restic-key.ts): each later restic opens it in milliseconds.
import { exec, type Target } from '@/lib/exec';
import { cheapenRepoKey } from '@/sandbox/common/restic-key';

export function cheapenKeyOn(target: Target, repoPath: string, password: string): Promise<void> {
  return cheapenRepoKey(
    async (script) => {
      const r = await exec(target, ['sh', '-c', script]);
      return { code: r.exitCode, stdout: r.stdout, stderr: r.stderr };
    },
    repoPath,
    password,
  );
}
