// Reads the sandbox front-end's state through its CLI, as oneadmin, to prove what changed.
import { execFile, execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { loadSandbox, account } from '../sandbox-env';

/** The path of one of the sandbox front-end's CLI commands. */
function commandPath(command: string): string {
  const info = JSON.parse(readFileSync(join(loadSandbox().stateDir, 'info.json'), 'utf8')) as {
    frontend: { commandDir: string };
  };
  return join(info.frontend.commandDir, command);
}

export function one(command: string, ...args: string[]): string {
  return oneWith(account('admin').oneAuth, command, ...args);
}

/** The CLI with other credentials (a ONE_AUTH file); throws when the command fails. */
export function oneWith(oneAuth: string, command: string, ...args: string[]): string {
  return execFileSync(commandPath(command), args, {
    encoding: 'utf8',
    env: { ...process.env, ONE_AUTH: oneAuth },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/**
 * `one` without blocking the worker: a spec that checks many results at once (the hostile-input
 * spec's accepted datastore names) keeps its other requests going while one CLI call runs.
 */
export async function oneAsync(command: string, ...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(commandPath(command), args, {
    encoding: 'utf8',
    env: { ...process.env, ONE_AUTH: account('admin').oneAuth },
    maxBuffer: 64 * 1024 * 1024,
  });
  return stdout;
}

/** What OpenNebula holds: datastores, images, VMs. Monitoring figures are left out: they move. */
export function cloudState(): string {
  return [one('onedatastore', 'list', '-x'), one('oneimage', 'list', '-x'), one('onevm', 'list', '-x')]
    .join('\n')
    .replace(/<(TOTAL_MB|FREE_MB|USED_MB)>\d+<\/\1>/g, '');
}
