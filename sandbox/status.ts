// What a sandbox is running, and stopping it: each component by its recorded PID, newest first.
import { componentNames, runningPid, stopComponent } from './common/pids';
import { readInfo } from './common/info';
import { sandboxPaths } from './common/state';
import { frontendPaths } from './opennebula/paths';
import { closeSshMasters } from './opennebula/ssh-control';

// The app depends on the front-end, which depends on the backup server and the S3 server: stop in
// that order.
const STOP_ORDER = ['app', 'frontend-cli', 'frontend-monitor', 's3-server', 'sshd'];

export function sandboxInfo(stateDir: string) {
  const paths = sandboxPaths(stateDir);
  const components: Record<string, { running: boolean; pid?: number }> = {};
  for (const name of componentNames(paths)) {
    const pid = runningPid(paths, name);
    components[name] = pid === undefined ? { running: false } : { running: true, pid };
  }
  return { stateDir: paths.state, ...readInfo(paths), components };
}

export async function stopSandbox(stateDir: string): Promise<string[]> {
  const paths = sandboxPaths(stateDir);
  const names = componentNames(paths).sort((a, b) => rank(a) - rank(b));
  const stopped: string[] = [];
  for (const name of names) if (await stopComponent(paths, name)) stopped.push(name);
  // The front-end's shared SSH connections outlive its processes by their ControlPersist time.
  await closeSshMasters(frontendPaths(stateDir));
  return stopped;
}

function rank(name: string): number {
  const i = STOP_ORDER.indexOf(name);
  return i === -1 ? -1 : i;
}
