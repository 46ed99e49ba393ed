// Reads the sandbox front-end's state through its CLI, as oneadmin, to prove what changed.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { loadSandbox, account } from '../sandbox-env';

export function one(command: string, ...args: string[]): string {
  const s = loadSandbox();
  const info = JSON.parse(execFileSync('cat', [join(s.stateDir, 'info.json')], { encoding: 'utf8' })) as {
    frontend: { commandDir: string };
  };
  return execFileSync(join(info.frontend.commandDir, command), args, {
    encoding: 'utf8',
    env: { ...process.env, ONE_AUTH: account('admin').oneAuth },
  });
}

/** What OpenNebula holds: datastores, images, VMs. Monitoring figures are left out: they move. */
export function cloudState(): string {
  return [one('onedatastore', 'list', '-x'), one('oneimage', 'list', '-x'), one('onevm', 'list', '-x')]
    .join('\n')
    .replace(/<(TOTAL_MB|FREE_MB|USED_MB)>\d+<\/\1>/g, '');
}
