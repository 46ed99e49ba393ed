// Reads the sandbox front-end's state through its CLI, as oneadmin, to prove what changed.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { loadSandbox, account } from '../sandbox-env';

export function one(command: string, ...args: string[]): string {
  return oneWith(account('admin').oneAuth, command, ...args);
}

/** The CLI with other credentials (a ONE_AUTH file); throws when the command fails. */
export function oneWith(oneAuth: string, command: string, ...args: string[]): string {
  const s = loadSandbox();
  const info = JSON.parse(execFileSync('cat', [join(s.stateDir, 'info.json')], { encoding: 'utf8' })) as {
    frontend: { commandDir: string };
  };
  return execFileSync(join(info.frontend.commandDir, command), args, {
    encoding: 'utf8',
    env: { ...process.env, ONE_AUTH: oneAuth },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** What OpenNebula holds: datastores, images, VMs. Monitoring figures are left out: they move. */
export function cloudState(): string {
  return [one('onedatastore', 'list', '-x'), one('oneimage', 'list', '-x'), one('onevm', 'list', '-x')]
    .join('\n')
    .replace(/<(TOTAL_MB|FREE_MB|USED_MB)>\d+<\/\1>/g, '');
}
