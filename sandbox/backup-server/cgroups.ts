// What a hypervisor's cgroup tree says about oneadmin's systemd user manager, for tests of the
// wizard's cgroup-delegation check. The sandbox's hosts are names for one machine, so they share
// the one file under the state folder's root:
// <root>/sys/fs/cgroup/user.slice/user-<uid>.slice/user@<uid>.service/cgroup.controllers
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readInfo } from '../common/info';
import { sandboxPaths } from '../common/state';

export function userCgroupControllersFile(stateDir: string): string {
  const paths = sandboxPaths(stateDir);
  const uid = readInfo(paths).backupServer?.uid;
  if (uid === undefined) throw new Error(`no backup server in ${stateDir}`);
  return join(
    paths.root,
    'sys',
    'fs',
    'cgroup',
    'user.slice',
    `user-${uid}.slice`,
    `user@${uid}.service`,
    'cgroup.controllers',
  );
}

/**
 * Gives the hosts a user manager whose delegated controllers are `controllers` (e.g. the full
 * "cpuset cpu io memory pids" after delegate.conf, or "memory pids" without it); undefined removes
 * it, as on a host where oneadmin's user manager is not running.
 */
export function setHostCgroupControllers(stateDir: string, controllers: readonly string[] | undefined): void {
  const file = userCgroupControllersFile(stateDir);
  if (controllers === undefined) {
    rmSync(file, { force: true });
    return;
  }
  mkdirSync(dirname(file), { recursive: true, mode: 0o755 });
  writeFileSync(file, `${controllers.join(' ')}\n`, { mode: 0o644 });
}
