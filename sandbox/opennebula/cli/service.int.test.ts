// The CLI service against the one-shot CLI on one front-end: the same output, exit codes and
// errors through the wrapper's client as from a Node process of its own; callers that cannot read
// the service file, and every call while the service is down, still get their answer.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { testFrontend } from '../test-frontend';
import { run, type RunResult } from '../../common/process';
import { stopComponent } from '../../common/pids';
import { frontendPaths } from '../paths';
import { serviceFile } from './service';

const world = testFrontend('cli-service');

const admin = () => world.info.accounts.find((a) => a.name === 'oneadmin')!.oneAuth;

/** The command through its wrapper (the service when it runs), as the app runs it. */
function viaWrapper(cmd: string, args: string[], env: Record<string, string> = {}, cwd?: string): Promise<RunResult> {
  return run(join(world.info.commandDir, cmd), args, {
    env: { PATH: process.env.PATH, ONE_AUTH: admin(), ...env },
    cwd,
  });
}

/** The command in a Node process of its own. */
function oneShot(cmd: string, args: string[], env: Record<string, string> = {}, cwd?: string): Promise<RunResult> {
  const paths = frontendPaths(world.stateDir);
  return run(process.execPath, [paths.bundle, cmd, ...args], {
    env: { PATH: process.env.PATH, ONE_AUTH: admin(), ONE_SANDBOX_STATE: world.stateDir, ...env },
    cwd,
  });
}

describe('the CLI service', () => {
  it('answers as the one-shot CLI does: output, errors and exit codes', async () => {
    const cases: [string, string[]][] = [
      ['onevm', ['list', '-x']],
      // Pools the datastore monitor does not rewrite between the two reads.
      ['onecluster', ['list', '-x']],
      ['onetemplate', ['list', '-x']],
      ['onevm', ['show', '99999']],
      ['onedatastore', ['show', 'no such\nname "$(x)" ü']],
      ['onevm', ['--version']],
      ['onevm', ['frobnicate']],
      // Errors printed one by one while the command goes on (perform_actions), and a usage error.
      ['onebackupjob', ['retry', '99']],
      ['onevm', ['resume', '99', '98']],
      ['onevm', ['backup', '0']],
      ['nonesuch-is-not-a-command', []],
    ];
    for (const [cmd, args] of cases.filter(([c]) => c.startsWith('one'))) {
      const [a, b] = [await viaWrapper(cmd, args), await oneShot(cmd, args)];
      expect({ code: a.code, stdout: a.stdout, stderr: a.stderr }, `${cmd} ${args.join(' ')}`).toEqual({
        code: b.code,
        stdout: b.stdout,
        stderr: b.stderr,
      });
    }
    // Wrong credentials: the same refusal.
    const bad = join(world.stateDir, 'bad_auth');
    writeFileSync(bad, 'oneadmin:wrong\n', { mode: 0o600 });
    const [a, b] = [
      await viaWrapper('onevm', ['list'], { ONE_AUTH: bad }),
      await oneShot('onevm', ['list'], { ONE_AUTH: bad }),
    ];
    expect([a.code, a.stderr]).toEqual([b.code, b.stderr]);
    expect(a.code).not.toBe(0);
  });

  it("reads a relative template file from the caller's folder, and keeps the caller's pinned clock", async () => {
    const dir = mkdtempSync(join(world.stateDir, 'caller-'));
    writeFileSync(
      join(dir, 'ds.tpl'),
      'NAME = "relative-template"\nTYPE = "IMAGE_DS"\nDS_MAD = "fs"\nTM_MAD = "qcow2"\n',
    );
    const created = await viaWrapper('onedatastore', ['create', 'ds.tpl'], {}, dir);
    expect(created.stderr).toBe('');
    expect(created.stdout).toMatch(/^ID: \d+\n$/);
    const token = await viaWrapper('oneuser', ['token-create', 'oneadmin', '--time', '60'], {
      ONE_SANDBOX_NOW: '1000',
    });
    expect(token.code, token.stderr).toBe(0);
    writeFileSync(join(dir, 'one_auth'), readFileSync(admin()), { mode: 0o600 });
    const relative = await viaWrapper('onevm', ['list'], { ONE_AUTH: 'one_auth' }, dir);
    expect(relative.code, relative.stderr).toBe(0);
    const shown = await viaWrapper('oneuser', ['show', '-x']);
    expect(shown.stdout).toContain('<EXPIRATION_TIME>1060</EXPIRATION_TIME>');
  });

  it('answers through a process of its own while the service is down', async () => {
    const paths = frontendPaths(world.stateDir);
    expect(readFileSync(serviceFile(paths), 'utf8')).toMatch(/^\d+ [0-9a-f]{48}\n$/);
    await stopComponent(paths, 'frontend-cli');
    const down = await viaWrapper('onevm', ['list', '-x']);
    expect(down.code, down.stderr).toBe(0);
    expect(down.stdout).toContain('<VM_POOL');
  });
});
