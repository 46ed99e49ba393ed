// The front-end's drivers share one SSH connection to a host (OpenNebula's ControlMaster setup),
// and stopping the sandbox ends it: no ssh master outlives its sandbox.
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { isAlive, run, waitFor } from '../common/process';
import { stopSandbox } from '../status';
import { readConfig } from './config';
import { sshScript } from './driver/remote';
import { startFrontend } from './frontend';
import { frontendPaths } from './paths';
import { controlDir } from './ssh-control';

let stateDir: string;
const paths = () => frontendPaths(stateDir);

beforeAll(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'backstone-ssh-control-'));
  chmodSync(stateDir, 0o755);
  await startFrontend(stateDir);
}, 120_000);

afterAll(async () => {
  await stopSandbox(stateDir);
  rmSync(stateDir, { recursive: true, force: true });
});

/** The master's PID, as `ssh -O check` reports it for a socket. */
async function masterPid(socket: string): Promise<number> {
  const r = await run('ssh', ['-F', '/dev/null', '-S', socket, '-O', 'check', 'master']);
  const pid = /pid=(\d+)/.exec(r.stderr)?.[1];
  expect(pid, r.stderr).toBeDefined();
  return Number(pid);
}

it('runs the driver scripts to one host through one shared connection, ended with the sandbox', async () => {
  const host = readConfig(paths()).backupServer;
  const first = await sshScript(paths(), host, 'echo "$SSH_CONNECTION"\n');
  const second = await sshScript(paths(), host, 'echo "$SSH_CONNECTION"\n');
  expect(first.code, first.stderr).toBe(0);
  // The same client port: the second script ran in a session of the first one's connection.
  expect(second.stdout).toBe(first.stdout);
  const dir = controlDir(paths());
  const sockets = readdirSync(dir);
  expect(sockets).toHaveLength(1);
  const pid = await masterPid(join(dir, sockets[0]!));
  expect(isAlive(pid)).toBe(true);

  await stopSandbox(stateDir);
  expect(existsSync(dir)).toBe(false);
  expect(await waitFor(() => !isAlive(pid), 5_000)).toBe(true);
});
